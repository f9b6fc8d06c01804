// The progress of a background job (an import, a screening run), polled from its API on whichever worker
// answers: every element [data-job-url] is followed until its job has ended. Its data attributes give the words:
// data-running ("正在处理"), data-count ("已检查 {done} / 约 {total} 行", shown when the total is known),
// data-link / data-link-text (a link shown at the end; {result_id} is the record the job produced),
// data-link-when ("succeeded": only after a success; otherwise whenever the job produced a record).
(function () {
  'use strict';
  const ACTIVE = ['queued', 'running'];

  function fill(template, job) {
    return template.replace(/\{(\w+)\}/g, function (_, name) { return job[name] === undefined || job[name] === null ? '' : job[name]; });
  }

  function follow(box) {
    const bar = box.querySelector('progress');
    const state = box.querySelector('.job-state');
    const problems = box.querySelector('.job-problems');
    async function poll() {
      let response;
      try {
        response = await fetch(box.dataset.jobUrl, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
      } catch (error) {
        state.textContent = '无法获取进度（网络错误），稍后重试…';
        setTimeout(poll, 3000);
        return;
      }
      if (!response.ok) { state.textContent = '无法获取进度（' + response.status + '）'; return; }
      const job = await response.json();
      job.result_id = job.result_id ?? job.batch_id ?? job.run_id;
      if (job.total) { bar.value = Math.round(100 * job.done / job.total); }
      if (ACTIVE.includes(job.state)) {
        const words = job.state === 'queued' ? '排队中，等待开始…'
          : (box.dataset.running || '正在处理') + '：' + (job.stage || '');
        state.textContent = words + (job.state === 'running' && job.total > 0 && box.dataset.count ? fill(box.dataset.count, job) : '');
        state.className = 'job-state';
        setTimeout(poll, 700);
      } else {
        if (job.state === 'succeeded') { bar.value = 100; }
        state.textContent = job.message;
        state.className = 'job-state ' + (job.state === 'failed' ? 'error' : 'ok');
      }
      const linked = box.dataset.linkWhen === 'succeeded' ? job.state === 'succeeded' : !ACTIVE.includes(job.state) && job.result_id;
      if (box.dataset.link && linked) {
        const link = document.createElement('a');
        link.href = fill(box.dataset.link, job);
        link.textContent = box.dataset.linkText;
        state.append(' · ', link);
      }
      if (problems && job.problems && job.problems.length) {
        const list = document.createElement('ul');
        job.problems.slice(0, 50).forEach(function (p) {
          const item = document.createElement('li');
          item.textContent = '第 ' + p.row + ' 行，“' + p.field + '”：' + p.message;
          list.appendChild(item);
        });
        problems.replaceChildren(list);
      }
    }
    poll();
  }

  document.querySelectorAll('[data-job-url]').forEach(follow);
})();

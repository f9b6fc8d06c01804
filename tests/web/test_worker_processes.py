"""State shared by several server worker processes (issue 11.2): the search index has one writer at a time across
processes (a lock file; tantivy itself refuses a second writer with LockBusy), and a process sees the documents
another process committed without being restarted."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from ipbureau.search.index import IndexQuery, PatentIndex

WRITES_PER_PROCESS = 15
WRITER = """
import sys
from pathlib import Path
from ipbureau.search.index import IndexDoc, PatentIndex

index = PatentIndex(Path(sys.argv[1]))
first = int(sys.argv[2])
for n in range(first, first + int(sys.argv[3])):
    index.write([IndexDoc(id=n, application_no=f"CN{n}", publication_no=None, title="锂电池 隔膜", abstract="",
                          claims="", applicants="", patent_type="invention", legal_status="valid", district_code=None,
                          province_code=None, dataset="demo", ipc_prefixes=["H01M"], filing=20230101, grant=0)])
"""


def test_two_processes_write_the_index_at_once_and_a_third_sees_every_document(tmp_path: Path):
    path = tmp_path / "search-index"
    reader = PatentIndex(path)  # opened before the writes, as a long-running worker's is
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(first), str(WRITES_PER_PROCESS)],
                                stderr=subprocess.PIPE, text=True) for first in (1, 1001)]
    for process in writers:
        _, errors = process.communicate(timeout=300)
        assert process.returncode == 0, errors  # no LockBusy: each waited for the other's commit
    expected = 2 * WRITES_PER_PROCESS
    deadline = time.monotonic() + 10
    while reader.search(IndexQuery(words=["隔膜"]), limit=100).total != expected and time.monotonic() < deadline:
        time.sleep(0.2)  # tantivy reloads its reader shortly after another process's commit
    result = reader.search(IndexQuery(words=["隔膜"]), limit=100)
    assert result.total == expected
    assert sorted(result.ids) == [*range(1, 1 + WRITES_PER_PROCESS), *range(1001, 1001 + WRITES_PER_PROCESS)]

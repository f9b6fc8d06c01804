"""Load benchmark: a served instance with the demo data, logged-in users of several roles, a mixed workload.

    .venv/bin/python bench/load.py                                    # SQLite, 2 workers, 1/10/50 clients, 30 s each
    .venv/bin/python bench/load.py --clients 50 --seconds 120 --think 5   # the goal: 50 users who read each page
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://…/ipbureau_load --workers 4
    .venv/bin/python bench/load.py --profile 5 [--route "market page"]   # cProfile of each route, in-process

Two kinds of run, reported apart. Without ``--think`` each client sends its next request the moment the last one
is answered (a closed loop): a saturation test whose N clients are far more than N people, giving the instance's
throughput. With ``--think S`` each client pauses after each response for an exponentially distributed time of
mean S seconds, as a person reads a result list or a queue before the next click: N such clients are N users.

1. The database: the demo data (``ipbureau demo-data --patents N``) in a database kept between runs — SQLite under
   ``bench/out/load-sqlite-<N>/``, or the given PostgreSQL database (its tables are REPLACED when it holds no demo
   data of that size; use a dedicated one). Generated once, then reused.
2. ``ipbureau serve`` with the documented arguments (deploy/ipbureau.service) and ``--workers``, on a free local
   port (tests/web/served.py, as the deployment test).
3. Each client signs in (the login form; an API token for the JSON routes) as one of the demo roles, then, for
   ``--seconds``, picks a route by weight and requests it, one request at a time: search page and API, search
   result export, statistics dashboard, market lists and a demand's matches, an enterprise profile, the
   pre-examination queue, and the import of a 10-row file (idempotent: the same file every time).
4. Before the workload, the same number of clients request ``/healthz`` (the server, the framework and one
   ``SELECT 1``: the raw engine of this instance) for a few seconds; the workload's rates are printed beside it.

``--profile N`` starts no server: each route runs N times in this process over the same database under cProfile
(wall and CPU ms per request; ``bench/out/load-profile-<route>.txt`` and ``.prof``).

Prints throughput, p50/p95/p99 and errors by route, the machine and its load, and writes the figures as JSON to
``bench/out/load-<UTC time>.json``. Local only (the instance this script starts) and bounded (clients ≤ 200,
seconds ≤ 600).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
sys.path[:0] = [str(BENCH), str(REPO)]

from run import machine_info, percentile  # noqa: E402  (bench/run.py)
from tests.web.served import (  # noqa: E402
    CSRF_RE,
    ServedInstance,
    instance_environment,
    login_cookie,
    run_cli,
)

DEMO_PASSWORD = "ipbureau-demo"  # ipbureau.demo.generator.DEMO_PASSWORD
MAX_CLIENTS = 200
MAX_SECONDS = 600
MAX_THINK = 60
# No connection is reused: uvicorn closes one that has been idle for 5 s (its timeout_keep_alive), counted from when
# it sent the response; a client that sends on it in that instant gets the connection reset (httpx.ReadError).
# Browsers retry such a request, httpx does not. Thinking users idle for seconds, and on a machine loaded by others
# a starved client reads a response seconds late: both made resets that no person would see (retiring idle
# connections after 2 s on the client still left 7 in a saturation run at load 12). A new local connection per
# request costs well under a millisecond; the /healthz baseline is measured the same way.
CLIENT_LIMITS = httpx.Limits(max_keepalive_connections=0)
BASELINE_SECONDS = 5
SETTLE_MAX_S = 90
IMPORT_SAMPLE = REPO.parent / "shared" / "data" / "patent-exports" / "cnipr_export_sample.csv"
WORDS = ["电池", "锂电池", "图像", "传感器", "催化剂", "机器人", "芯片", "通信", "医药", "新能源汽车", "天津", "材料"]
# Each client is one of these demo users, in turn.
ROLES = ["demo-bureau", "demo-public", "demo-examiner", "demo-enterprise", "demo-district"]


@dataclass
class Route:
    name: str
    weight: float
    roles: tuple[str, ...]  # users who may open it (the others skip it)
    page: bool  # an HTML page (the goal: p95 < 1 s) rather than an API call or a file

    def request(self, ids: dict[str, list[int]], rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        word = rng.choice(WORDS)
        match self.name:
            case "search page":
                return "GET", "/search", {"params": {"q": word}}
            case "search API":
                return "GET", "/api/search", {"params": {"q": word, "page_size": 20}}
            case "search export":
                return "GET", "/api/search/export", {"params": {"q": word, "fmt": "xlsx"}}
            case "statistics dashboard":
                return "GET", "/stats", {}
            case "market page":
                return "GET", "/market", {}
            case "market listings API":
                return "GET", "/api/market/listings", {}
            case "demand matches API":
                return "GET", f"/api/market/demands/{rng.choice(ids['demands'])}/matches", {}
            case "enterprise profile":
                return "GET", f"/enterprises/{rng.choice(ids['enterprises'])}", {}
            case "pre-examination queue":
                return "GET", "/preexam", {}
            case "import (10 rows)":
                return "POST", "/api/imports/patent", {
                    "files": {"file": ("load-sample.csv", IMPORT_SAMPLE.read_bytes(), "text/csv")},
                    "data": {"dataset": "real"}}
        raise ValueError(self.name)


ROUTES = [
    Route("search page", 3, ("demo-bureau", "demo-public", "demo-district", "demo-enterprise"), True),
    Route("search API", 3, ("demo-bureau", "demo-public", "demo-district", "demo-enterprise"), False),
    Route("search export", 0.5, ("demo-bureau", "demo-public"), False),
    Route("statistics dashboard", 1, ("demo-bureau", "demo-district"), True),
    Route("market page", 2, ("demo-bureau", "demo-public", "demo-enterprise"), True),
    Route("market listings API", 2, ("demo-bureau", "demo-public", "demo-enterprise"), False),
    Route("demand matches API", 1, ("demo-bureau",), False),
    Route("enterprise profile", 1, ("demo-bureau", "demo-district"), True),
    Route("pre-examination queue", 2, ("demo-examiner", "demo-bureau"), True),
    Route("import (10 rows)", 0.2, ("demo-bureau",), False),
]


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def prepare_database(args: argparse.Namespace) -> dict[str, str]:
    """The instance's environment, its database holding the demo data of ``--patents`` (generated once)."""
    if args.database_url:
        data_dir = OUT / f"load-pg-{args.patents}"
        env = instance_environment(data_dir, args.database_url)
    else:
        data_dir = OUT / f"load-sqlite-{args.patents}"
        env = instance_environment(data_dir, None)
    env.pop("IPBUREAU_PASSWORD_HASH_PROFILE", None)  # the production password hashing, as users get it
    env["IPBUREAU_MAX_UPLOAD_MB"] = "50"
    marker = data_dir / "demo-data.done"
    if marker.exists() and marker.read_text().strip() == (args.database_url or "sqlite") and has_demo_data(
            args.database_url or f"sqlite:///{data_dir / 'ipbureau.db'}"):
        run_cli(env, "migrate", timeout=3600)  # a kept database of an older revision: brought to this code's schema
        print(f"演示数据：沿用 {data_dir}", flush=True)
        return env
    if not args.database_url and data_dir.exists():
        shutil.rmtree(data_dir)  # an outdated SQLite database and its index: generated again from nothing
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run_cli(env, "migrate", timeout=3600)
    run_cli(env, "load-reference", timeout=3600)
    run_cli(env, "demo-data", "--patents", str(args.patents), timeout=7200)
    marker.write_text(args.database_url or "sqlite")
    print(f"演示数据：已生成（{args.patents:,} 件专利，{time.perf_counter() - started:.0f} s）", flush=True)
    return env


def has_demo_data(url: str) -> bool:
    """Whether the kept database is still there with its demo patents (a PostgreSQL server may have been reset) and
    of a revision of this code's migrations (one of an abandoned revision is generated again; an older one of the
    chain is upgraded by ``ipbureau migrate``)."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from ipbureau.database.migrate import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config(url))
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            scripts.get_revision(conn.scalar(text("SELECT version_num FROM alembic_version")))
            return bool(conn.scalar(text("SELECT count(*) FROM patent WHERE dataset = 'demo'")))
    except (SQLAlchemyError, CommandError):
        return False
    finally:
        engine.dispose()


async def sign_in(base: str, username: str) -> tuple[str, str]:
    """The session cookie (login form) and an API token of the user."""
    cookie = await asyncio.to_thread(login_cookie, base, username, DEMO_PASSWORD)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        answer = await client.post("/api/auth/token", json={"username": username, "password": DEMO_PASSWORD})
        answer.raise_for_status()
        return cookie, answer.json()["access_token"]


async def discover_ids(base: str, token: str) -> dict[str, list[int]]:
    """Ids the workload opens: demands (for matches) and enterprises (for profiles)."""
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        return await discover_ids_with(client, token)


async def one_client(number: int, base: str, credentials: dict[str, tuple[str, str]], ids: dict[str, list[int]],
                     until: float, tallies: dict[str, Tally], routes: list[Route], seed: int,
                     requests: int | None = None, think: float = 0) -> None:
    """Requests until the clock reaches ``until`` (or, with ``requests``, that many). ``think``: the mean of the
    exponentially distributed pause after each response (a person reading the page); 0 is a closed loop that
    sends the next request at once (a saturation test: one such client is not one user)."""
    username = ROLES[number % len(ROLES)]
    cookie, token = credentials[username]
    mine = [r for r in routes if username in r.roles]
    weights = [r.weight for r in mine]
    rng = random.Random(seed * 1000 + number)
    cookie_name, cookie_value = cookie.split("=", 1)
    async with httpx.AsyncClient(base_url=base, timeout=120, cookies={cookie_name: cookie_value},
                                 limits=CLIENT_LIMITS) as client:
        done = 0
        if think:
            # Users arrive spread over one mean think time, not all in the same instant.
            await asyncio.sleep(min(rng.uniform(0, think), max(0.0, until - time.monotonic())))
        while (done < requests) if requests is not None else (time.monotonic() < until):
            done += 1
            route = rng.choices(mine, weights)[0]
            method, path, options = route.request(ids, rng)
            headers = {} if route.page else {"Authorization": f"Bearer {token}"}
            started = time.perf_counter()
            try:
                response = await client.request(method, path, headers=headers, **options)
                status = str(response.status_code) if response.status_code >= 400 else None
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            tally = tallies[route.name]
            tally.latencies.append(time.perf_counter() - started)
            if status:
                tally.errors[status] += 1
            if think:
                await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, until - time.monotonic())))


async def warm_up(base: str, credentials, ids, workers: int, seed: int) -> None:
    """Each route a few times per worker, untimed: first-use costs (the matching index, jieba, the statistics
    store) are paid once per process, not by the measured requests."""
    started = time.monotonic()
    tallies: dict[str, Tally] = defaultdict(Tally)
    for route in ROUTES:
        user = route.roles[0]
        await asyncio.gather(*(one_client(ROLES.index(user), base, credentials, ids, 0, tallies, [route], seed,
                                          requests=2) for _ in range(2 * workers)))
    print(f"预热：{sum(len(t.latencies) for t in tallies.values())} 个请求，{time.monotonic() - started:.0f} s", flush=True)


async def settle(base: str, limit_s: float = SETTLE_MAX_S) -> float:
    """Wait until the work the warm-up left behind (its imports' background jobs, the search index and the statistics
    copy catching up) has ended: until three successive seconds of /healthz at one client have p50s within 1.5x of
    each other. Otherwise the first baseline measures that work, not the instance. Returns the seconds waited."""
    started = time.monotonic()
    recent: list[float] = []
    while time.monotonic() - started < limit_s:
        recent = [*recent[-2:], percentile((await baseline(base, 1, 1.0)).latencies, 0.50)]
        if len(recent) == 3 and max(recent) <= 1.5 * min(recent):
            break
    return time.monotonic() - started


async def baseline(base: str, clients: int, seconds: float) -> Tally:
    """``clients`` clients on /healthz for ``seconds``: the instance's raw request rate."""
    tally = Tally()
    until = time.monotonic() + seconds

    async def loop() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=CLIENT_LIMITS) as client:
            while time.monotonic() < until:
                started = time.perf_counter()
                try:
                    status = (await client.get("/healthz")).status_code
                except httpx.HTTPError:
                    status = 599
                tally.latencies.append(time.perf_counter() - started)
                if status != 200:
                    tally.errors[str(status)] += 1

    await asyncio.gather(*(loop() for _ in range(clients)))
    return tally


def summary(tally: Tally, seconds: float) -> dict[str, Any]:
    values = tally.latencies
    return {"requests": len(values), "per_s": len(values) / seconds, "p50_ms": percentile(values, 0.50) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000, "p99_ms": percentile(values, 0.99) * 1000,
            "errors": dict(tally.errors)}


async def run_level(base: str, clients: int, seconds: float, credentials, ids, seed: int,
                    think: float) -> dict[str, Any]:
    raw = summary(await baseline(base, clients, min(BASELINE_SECONDS, seconds)), min(BASELINE_SECONDS, seconds))
    tallies: dict[str, Tally] = defaultdict(Tally)
    load_at_start = os.getloadavg()
    started = time.monotonic()
    await asyncio.gather(*(one_client(n, base, credentials, ids, started + seconds, tallies, ROUTES, seed,
                                      think=think) for n in range(clients)))
    elapsed = time.monotonic() - started
    routes = {name: summary(t, elapsed) for name, t in sorted(tallies.items())}
    everything = Tally([v for t in tallies.values() for v in t.latencies])
    for t in tallies.values():
        for status, count in t.errors.items():
            everything.errors[status] += count
    pages = Tally([v for r in ROUTES if r.page for v in tallies[r.name].latencies])
    return {"clients": clients, "think_mean_s": think, "seconds": elapsed, "baseline_healthz": raw, "routes": routes,
            "all": summary(everything, elapsed), "pages": summary(pages, elapsed), "load_before": load_at_start,
            "load_after": os.getloadavg()}


def print_level(level: dict[str, Any]) -> None:
    raw, total = level["baseline_healthz"], level["all"]
    kind = (f"{level['clients']} 位用户（每次响应后思考时间：指数分布，均值 {level['think_mean_s']:g} s）"
            if level["think_mean_s"] else f"{level['clients']} 个闭环客户端（无思考时间：饱和测试）")
    print(f"\n== {kind}，{level['seconds']:.0f} s；负载（1 分钟均值）开始 {level['load_before'][0]:.2f}，"
          f"结束 {level['load_after'][0]:.2f} ==")
    print(f"{'路由':<24}{'请求':>7}{'次/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  错误")
    for name, row in level["routes"].items():
        errors = ", ".join(f"{k}×{v}" for k, v in row["errors"].items()) or "0"
        print(f"{name:<24}{row['requests']:>7}{row['per_s']:>8.1f}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
              f"{row['p99_ms']:>9.0f}  {errors}")
    for label, row in (("全部", total), ("页面", level["pages"]), ("/healthz 基线", raw)):
        errors = ", ".join(f"{k}×{v}" for k, v in row["errors"].items()) or "0"
        print(f"{label:<24}{row['requests']:>7}{row['per_s']:>8.1f}{row['p50_ms']:>9.0f}{row['p95_ms']:>9.0f}"
              f"{row['p99_ms']:>9.0f}  {errors}")
    if raw["per_s"]:
        print(f"工作负载吞吐 / 基线吞吐 = {total['per_s'] / raw['per_s']:.3f}；"
              f"p50 比 = {total['p50_ms'] / max(raw['p50_ms'], 0.001):.1f}×")


async def profile_in_process(env: dict[str, str], repeats: int, top: int, routes: list[Route]) -> dict[str, Any]:
    """Each route of the workload ``repeats`` times in this process over the same database, under cProfile.

    FastAPI runs sync endpoints and dependencies in a thread pool, which cProfile (one thread) would not see; here
    they run inline on the one thread (``anyio.to_thread.run_sync`` replaced), so the profile holds all the work of
    a request: the framework, the route, the queries and the template. Per route: wall and CPU milliseconds per
    request and the functions with the most cumulative time (written to ``bench/out/load-profile-*.txt``)."""
    import cProfile
    import io
    import pstats

    import anyio.to_thread

    os.environ.update(env)

    async def run_inline(func, *args, abandon_on_cancel=False, cancellable=None, limiter=None):  # noqa: ARG001
        return func(*args)

    anyio.to_thread.run_sync = run_inline  # type: ignore[assignment]
    from ipbureau.app import create_app

    app = create_app()
    transport = httpx.ASGITransport(app=app)
    base = "http://127.0.0.1"
    rng = random.Random(2023)
    results: dict[str, Any] = {}
    async with app.router.lifespan_context(app):
        clients: dict[str, tuple[httpx.AsyncClient, str]] = {}
        for username in ROLES:
            client = httpx.AsyncClient(transport=transport, base_url=base, timeout=300)
            login_page = await client.get("/login")
            csrf = CSRF_RE.search(login_page.text)
            assert csrf, "the login page has no CSRF token"
            signed = await client.post("/login", data={"username": username, "password": DEMO_PASSWORD, "next": "/",
                                                       "csrf_token": csrf.group(1)})
            assert signed.status_code == 303, f"login of {username}: {signed.status_code}"
            token = (await client.post("/api/auth/token", json={"username": username, "password": DEMO_PASSWORD}))
            clients[username] = (client, token.json()["access_token"])
        ids = await discover_ids_with(clients["demo-bureau"][0], clients["demo-bureau"][1])
        for route in routes:
            client, token = clients[route.roles[0]]
            headers = {} if route.page else {"Authorization": f"Bearer {token}"}
            for _ in range(2):  # first-use costs (per process) are not the route's
                method, path, options = route.request(ids, rng)
                (await client.request(method, path, headers=headers, **options)).raise_for_status()
            profiler = cProfile.Profile()
            wall = cpu = 0.0
            statuses: dict[int, int] = defaultdict(int)
            # The same requests timed twice: without the profiler (its cost is several times a route's own in
            # Python-heavy code such as templates) and under it, for where the time goes.
            for profiled in (False, True):
                for _ in range(repeats):
                    method, path, options = route.request(ids, rng)
                    started, started_cpu = time.perf_counter(), time.process_time()
                    if profiled:
                        profiler.enable()
                    response = await client.request(method, path, headers=headers, **options)
                    if profiled:
                        profiler.disable()
                    else:
                        wall += time.perf_counter() - started
                        cpu += time.process_time() - started_cpu
                    statuses[response.status_code] += 1
            # The application's own functions by cumulative time (where the time goes), then every function by its
            # own time (what does the work: SQL, templates, a library); the raw profile beside them for pstats.
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text)
            stats.sort_stats("cumulative").print_stats(r"/src/ipbureau/", top)
            stats.sort_stats("tottime").print_stats(top)
            slug = "".join(c if c.isalnum() else "-" for c in route.name)
            (OUT / f"load-profile-{slug}.txt").write_text(text.getvalue())
            stats.dump_stats(OUT / f"load-profile-{slug}.prof")
            results[route.name] = {"wall_ms": wall / repeats * 1000, "cpu_ms": cpu / repeats * 1000,
                                   "statuses": dict(statuses)}
            print(f"{route.name:<24}{results[route.name]['wall_ms']:>9.1f}{results[route.name]['cpu_ms']:>9.1f}  "
                  f"{dict(statuses)}", flush=True)
        for client, _ in clients.values():
            await client.aclose()
    return results


async def discover_ids_with(client: httpx.AsyncClient, token: str) -> dict[str, list[int]]:
    headers = {"Authorization": f"Bearer {token}"}
    demands = (await client.get("/api/market/demands", params={"limit": 50}, headers=headers)).json()
    enterprises = (await client.get("/api/enterprises", params={"limit": 50}, headers=headers)).json()
    ids = {"demands": [d["id"] for d in demands.get("items", [])],
           "enterprises": [e["id"] for e in enterprises.get("items", [])]}
    for name, found in ids.items():
        if not found:
            raise SystemExit(f"the demo data has no {name}: cannot run the workload")
    return ids


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    env = prepare_database(args)
    machine = machine_info()
    load_before = os.getloadavg()
    log = OUT / f"load-serve-{'pg' if args.database_url else 'sqlite'}.log"
    with ServedInstance(env, workers=args.workers, log_path=log) as instance:
        credentials = {}
        for username in ROLES:
            credentials[username] = await sign_in(instance.base, username)
        ids = await discover_ids(instance.base, credentials["demo-bureau"][1])
        await warm_up(instance.base, credentials, ids, args.workers, args.seed)
        print(f"等待预热留下的后台工作结束：{await settle(instance.base):.0f} s", flush=True)
        levels = []
        for clients in args.clients:
            level = await run_level(instance.base, clients, args.seconds, credentials, ids, args.seed, args.think)
            print_level(level)
            levels.append(level)
    return {"machine": machine, "load_before": load_before, "think_mean_s": args.think, "database": "postgresql" if args.database_url else
            "sqlite", "workers": args.workers, "patents": args.patents, "levels": levels, "serve_log": str(log)}


def markdown_rows(paths: list[Path]) -> list[str]:
    """The README table's rows from result files: one per level, the kind of run and the load beside it."""
    rows = []
    for path in paths:
        result = json.loads(path.read_text())
        for level in result["levels"]:
            think = level.get("think_mean_s") or 0
            kind = f"{level['clients']} 位用户，思考 {think:g} s" if think else f"{level['clients']} 个闭环客户端（饱和）"
            pages, total, raw = level["pages"], level["all"], level["baseline_healthz"]
            errors = ", ".join(f"{k}×{v}" for k, v in total["errors"].items()) or "0"
            load = level.get("load_before", result["load_before"])[0], level["load_after"][0]
            rows.append(f"| {result['database']} / {result['workers']} | {kind} | {total['per_s']:.1f} | {errors} | "
                        f"{pages['p50_ms']:,.0f} / {pages['p95_ms']:,.0f} ms | {total['p50_ms']:,.0f} / "
                        f"{total['p95_ms']:,.0f} ms | {raw['p50_ms']:,.0f} / {raw['p95_ms']:,.0f} ms（{raw['per_s']:.0f}）"
                        f" | {load[0]:.1f} → {load[1]:.1f} | {path.stem.removeprefix('load-')} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau load benchmark (a local served instance)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--patents", type=int, default=30000, help="demo data size (ipbureau demo-data --patents)")
    parser.add_argument("--database-url", default=None, help="a dedicated PostgreSQL database (else SQLite)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--think", type=float, default=0, metavar="SECONDS",
                        help="mean think time after each response (exponential; 0: closed loop, a saturation test)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="instead of serving: each route N times in this process under cProfile")
    parser.add_argument("--route", action="append", choices=[r.name for r in ROUTES],
                        help="with --profile: only this route (repeatable)")
    parser.add_argument("--table", type=Path, nargs="+", metavar="JSON",
                        help="print the README table's rows from these result files, and run nothing")
    args = parser.parse_args(argv)
    if args.table:
        print("\n".join(markdown_rows(args.table)))
        return 0
    if (not all(1 <= c <= MAX_CLIENTS for c in args.clients) or not 1 <= args.seconds <= MAX_SECONDS
            or not 0 <= args.think <= MAX_THINK):
        parser.error(f"clients 1..{MAX_CLIENTS}, seconds 1..{MAX_SECONDS}, think 0..{MAX_THINK}")
    OUT.mkdir(parents=True, exist_ok=True)
    if args.profile:
        env = prepare_database(args)
        print(f"{'路由（进程内，不计 cProfile）':<24}{'墙钟 ms':>9}{'CPU ms':>9}  状态；负载 {os.getloadavg()[0]:.2f}")
        asyncio.run(profile_in_process(env, args.profile, 25,
                                       [r for r in ROUTES if not args.route or r.name in args.route]))
        print(f"负载 {os.getloadavg()[0]:.2f}；逐函数统计：{OUT}/load-profile-*.txt")
        return 0
    result = asyncio.run(main_async(args))
    m = result["machine"]
    print(f"\n机器：{m['cpu']}，{m['cores']} 核，内存 {m['ram_gb']} GB，Python {m['python']}；"
          f"{result['database']}，{result['workers']} 个 worker；开始时负载 {result['load_before'][0]:.2f}")
    path = OUT / f"load-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    print(f"结果：{path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

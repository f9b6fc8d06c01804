"""Load benchmark: a served instance with the demo data, logged-in users of several roles, a mixed workload.

    .venv/bin/python bench/load.py                                    # SQLite, 2 workers, 1/10/50 clients, 30 s each
    .venv/bin/python bench/load.py --clients 50 --seconds 60 --workers 2
    .venv/bin/python bench/load.py --database-url postgresql+psycopg://…/ipbureau_load --workers 4

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
    ServedInstance,
    instance_environment,
    login_cookie,
    run_cli,
)

DEMO_PASSWORD = "ipbureau-demo"  # ipbureau.demo.generator.DEMO_PASSWORD
MAX_CLIENTS = 200
MAX_SECONDS = 600
BASELINE_SECONDS = 5
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
        print(f"演示数据：沿用 {data_dir}", flush=True)
        return env
    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run_cli(env, "migrate", timeout=3600)
    run_cli(env, "load-reference", timeout=3600)
    run_cli(env, "demo-data", "--patents", str(args.patents), timeout=7200)
    marker.write_text(args.database_url or "sqlite")
    print(f"演示数据：已生成（{args.patents:,} 件专利，{time.perf_counter() - started:.0f} s）", flush=True)
    return env


def has_demo_data(url: str) -> bool:
    """Whether the kept database is still there with its demo patents (a PostgreSQL server may have been reset)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT count(*) FROM patent WHERE dataset = 'demo'")))
    except SQLAlchemyError:
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
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:
        demands = (await client.get("/api/market/demands", params={"limit": 50})).json()
        enterprises = (await client.get("/api/enterprises", params={"limit": 50})).json()
    ids = {"demands": [d["id"] for d in demands.get("items", [])],
           "enterprises": [e["id"] for e in enterprises.get("items", [])]}
    for name, found in ids.items():
        if not found:
            raise SystemExit(f"the demo data has no {name}: cannot run the workload")
    return ids


async def one_client(number: int, base: str, credentials: dict[str, tuple[str, str]], ids: dict[str, list[int]],
                     until: float, tallies: dict[str, Tally], routes: list[Route], seed: int,
                     requests: int | None = None) -> None:
    """Requests until the clock reaches ``until`` (or, with ``requests``, that many)."""
    username = ROLES[number % len(ROLES)]
    cookie, token = credentials[username]
    mine = [r for r in routes if username in r.roles]
    weights = [r.weight for r in mine]
    rng = random.Random(seed * 1000 + number)
    cookie_name, cookie_value = cookie.split("=", 1)
    async with httpx.AsyncClient(base_url=base, timeout=120, cookies={cookie_name: cookie_value}) as client:
        done = 0
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


async def baseline(base: str, clients: int, seconds: float) -> Tally:
    """``clients`` clients on /healthz for ``seconds``: the instance's raw request rate."""
    tally = Tally()
    until = time.monotonic() + seconds

    async def loop() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
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


async def run_level(base: str, clients: int, seconds: float, credentials, ids, seed: int) -> dict[str, Any]:
    raw = summary(await baseline(base, clients, min(BASELINE_SECONDS, seconds)), min(BASELINE_SECONDS, seconds))
    tallies: dict[str, Tally] = defaultdict(Tally)
    started = time.monotonic()
    await asyncio.gather(*(one_client(n, base, credentials, ids, started + seconds, tallies, ROUTES, seed)
                           for n in range(clients)))
    elapsed = time.monotonic() - started
    routes = {name: summary(t, elapsed) for name, t in sorted(tallies.items())}
    everything = Tally([v for t in tallies.values() for v in t.latencies])
    for t in tallies.values():
        for status, count in t.errors.items():
            everything.errors[status] += count
    pages = Tally([v for r in ROUTES if r.page for v in tallies[r.name].latencies])
    return {"clients": clients, "seconds": elapsed, "baseline_healthz": raw, "routes": routes,
            "all": summary(everything, elapsed), "pages": summary(pages, elapsed), "load_after": os.getloadavg()}


def print_level(level: dict[str, Any]) -> None:
    raw, total = level["baseline_healthz"], level["all"]
    print(f"\n== {level['clients']} 个并发客户端，{level['seconds']:.0f} s；负载 {level['load_after'][0]:.2f} ==")
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
        levels = []
        for clients in args.clients:
            level = await run_level(instance.base, clients, args.seconds, credentials, ids, args.seed)
            print_level(level)
            levels.append(level)
    return {"machine": machine, "load_before": load_before, "database": "postgresql" if args.database_url else
            "sqlite", "workers": args.workers, "patents": args.patents, "levels": levels, "serve_log": str(log)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ipbureau load benchmark (a local served instance)")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--patents", type=int, default=30000, help="demo data size (ipbureau demo-data --patents)")
    parser.add_argument("--database-url", default=None, help="a dedicated PostgreSQL database (else SQLite)")
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args(argv)
    if not all(1 <= c <= MAX_CLIENTS for c in args.clients) or not 1 <= args.seconds <= MAX_SECONDS:
        parser.error(f"clients 1..{MAX_CLIENTS}, seconds 1..{MAX_SECONDS}")
    OUT.mkdir(parents=True, exist_ok=True)
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

"""Patent import benchmark (issue 12.2): rows/s and peak memory of ``ipbureau.patents.flows.import_patents``
on generated CNIPR-style CSV files, beside the raw engine writing the same rows into the same schema.

    .venv/bin/python bench/imports.py [--sizes 10000,100000[,1000000]] [--keep]

For each size, a child process (so that its peak RSS is its own) gets a fresh SQLite file copied from a template
(migrated, reference data loaded) and:
  1. imports the file through ipbureau (stream parse, row checks, one transaction, search indexing off: that is
     a separate step after the commit) — rows/s and peak RSS (resource.getrusage, ru_maxrss) at its end;
  2. raw engine: the rows ipbureau wrote (patent, patent_applicant, patent_ipc) are read back and inserted into
     another fresh copy of the same schema with sqlite3 ``executemany`` in one transaction (no parsing, no checks:
     the floor any importer on this database pays) — rows/s, and the ratio ipbureau / raw;
  3. re-imports the same file (idempotence: 0 inserted, N unchanged) — rows/s.
The CSV files are made by ipbureau.demo.generator.write_patent_csv (seed 2026) and cached under bench/out/.
Prints the machine (CPU model, cores) and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from run import machine_info  # noqa: E402

OUT = ROOT / "bench" / "out" / "imports"
TABLES = ("import_batch", "patent", "patent_applicant", "patent_ipc")  # the batch row: the patents refer to it


def machine() -> str:
    info = machine_info()  # the suite benchmark's description of the machine (bench/run.py)
    return (f"{info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, Python {info['python']}, "
            f"SQLite {sqlite3.sqlite_version}")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def csv_file(size: int) -> Path:
    from ipbureau.demo.generator import write_patent_csv

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"patents-{size}.csv"
    if not path.exists():
        partial = path.with_suffix(".part")
        write_patent_csv(random.Random(2026), size, partial)
        partial.rename(path)
    return path


def template_database(workdir: Path) -> Path:
    """A migrated SQLite database with the reference data (IPC scheme, districts) that an import needs."""
    path = workdir / "template.db"
    env = {**os.environ, "IPBUREAU_DATABASE_URL": f"sqlite:///{path}", "IPBUREAU_DATA_DIR": str(workdir)}
    code = ("from ipbureau.database.migrate import upgrade; from ipbureau.database.core import session_scope;"
            "from ipbureau.reference import service as r; upgrade();\n"
            "with session_scope() as s: r.load_districts(s); r.load_ipc(s)")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)
    return path


def child(size: int, template: Path, workdir: Path) -> dict[str, float]:
    """Runs in its own process: import, raw insert, re-import; returns the figures."""
    ours = workdir / f"ipbureau-{size}.db"
    raw = workdir / f"raw-{size}.db"
    shutil.copy(template, ours)
    shutil.copy(template, raw)
    os.environ["IPBUREAU_DATABASE_URL"] = f"sqlite:///{ours}"
    os.environ["IPBUREAU_DATA_DIR"] = str(workdir)
    from ipbureau.database.core import get_sessionmaker
    from ipbureau.patents.flows import import_patents

    path = csv_file(size)
    baseline = peak_rss_mb()
    session = get_sessionmaker()()
    started = time.perf_counter()
    result = import_patents(session, path, path.name, index=False)
    elapsed = time.perf_counter() - started
    peak = peak_rss_mb()
    session.close()
    assert result.inserted == size, result

    # The raw engine: the same rows, as stored, into the same (empty) schema, one transaction.
    source = sqlite3.connect(ours)
    target = sqlite3.connect(raw)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=NORMAL")
    target.execute("PRAGMA foreign_keys=ON")
    contents = {}
    for table in TABLES:
        cursor = source.execute(f"SELECT * FROM {table}")  # noqa: S608 (fixed table names)
        contents[table] = ([d[0] for d in cursor.description], cursor.fetchall())
    source.close()
    started = time.perf_counter()
    with target:
        for table, (columns, rows) in contents.items():
            marks = ",".join("?" * len(columns))
            target.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)  # noqa: S608
    raw_elapsed = time.perf_counter() - started
    target.close()
    del contents

    session = get_sessionmaker()()
    started = time.perf_counter()
    again = import_patents(session, path, path.name, index=False)
    again_elapsed = time.perf_counter() - started
    session.close()
    assert (again.inserted, again.unchanged) == (0, size), again
    return {"size": size, "seconds": elapsed, "rate": size / elapsed, "baseline_rss_mb": baseline,
            "peak_rss_mb": peak, "raw_seconds": raw_elapsed, "raw_rate": size / raw_elapsed,
            "reimport_rate": size / again_elapsed, "file_mb": path.stat().st_size / 1048576}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated row counts (add 1000000 for 1M)")
    parser.add_argument("--keep", action="store_true", help="keep the databases (printed path)")
    parser.add_argument("--child", nargs=3, metavar=("SIZE", "TEMPLATE", "WORKDIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        size, template, workdir = args.child
        print(json.dumps(child(int(size), Path(template), Path(workdir))))
        return

    sizes = [int(s) for s in args.sizes.split(",") if s]
    print(f"machine: {machine()}")
    print(f"load average before: {load()}")
    workdir = Path(tempfile.mkdtemp(prefix="ipbureau-bench-imports-"))
    template = template_database(workdir)
    for size in sizes:
        csv_file(size)  # generated outside the timed child
    rows = []
    for size in sizes:
        out = subprocess.run([sys.executable, __file__, "--child", str(size), str(template), str(workdir)],
                             capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            sys.exit(f"size {size} failed:\n{out.stderr[-3000:]}")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        for extra in workdir.glob(f"*-{size}.db*"):
            extra.unlink()
    print(f"load average after:  {load()}")
    print()
    print(f"{'rows':>9} {'file MB':>8} {'ipbureau rows/s':>16} {'raw executemany rows/s':>23} {'ratio':>6} "
          f"{'re-import rows/s':>17} {'RSS before MB':>14} {'peak RSS MB':>12}")
    for r in rows:
        print(f"{r['size']:>9,} {r['file_mb']:>8.1f} {r['rate']:>16,.0f} {r['raw_rate']:>23,.0f} "
              f"{r['rate'] / r['raw_rate']:>6.3f} {r['reimport_rate']:>17,.0f} {r['baseline_rss_mb']:>14.0f} "
              f"{r['peak_rss_mb']:>12.0f}")
    if args.keep:
        print(f"databases kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()

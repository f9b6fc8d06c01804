"""District attribution on real Tianjin addresses: accuracy and speed.

The labelled set is bench/data/tianjin_addresses.csv (address, district_code, source; see bench/data/README.md).
Each address is resolved by ``ipbureau.reference.address.resolve_address`` and counted right / unattributed /
wrong, overall, per labelled district and per rule. For comparison the same set is scored with the raw engine a
first attempt would use — one regular expression over the 16 current district names — and both are timed on the
same run (the set repeated ``--repeat`` times).

    .venv/bin/python bench/districts.py [--repeat 50] [--show-misses]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from ipbureau.reference.accuracy import TARGET_RIGHT, TARGET_WRONG, Outcome, read_labelled, score
from ipbureau.reference.address import district_names, resolve_address
from screening import machine as cpu_and_python  # bench/ is the script's directory, first on sys.path

DATA = Path(__file__).parent / "data" / "tianjin_addresses.csv"


def machine() -> str:
    """The CPU line the other benchmarks print (bench/screening.py), with the load average of this run."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{cpu_and_python()}, load {load}"


def line(label: str, outcome: Outcome) -> str:
    total = outcome.total
    return (f"  {label:<22} {total:>5}  right {outcome.right:>4} ({outcome.right / total:6.1%})"
            f"  unattributed {outcome.unattributed:>3}  wrong {outcome.wrong:>3}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="passes over the set when timing (default 50)")
    parser.add_argument("--show-misses", action="store_true", help="print every unattributed and wrong address")
    args = parser.parse_args(argv)

    rows = read_labelled(DATA)
    names = {name: code for code, name in district_names().items()}
    raw = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))

    def raw_engine(address: str) -> str | None:
        hit = raw.search(address)
        return names[hit.group(0)] if hit else None

    print(f"machine: {machine()}")
    print(f"labelled set: {len(rows)} real Tianjin addresses, {len({r.district_code for r in rows})} districts")

    report = score(rows)
    raw_outcome = Outcome()
    for row in rows:
        found = raw_engine(row.address)
        raw_outcome.add("right" if found == row.district_code else "unattributed" if found is None else "wrong")

    print("\naccuracy")
    print(line("resolve_address", report.overall))
    print(line("raw district regex", raw_outcome))
    print(f"  target: right >= {TARGET_RIGHT:.0%}, wrong <= {TARGET_WRONG:.1%} -> "
          f"{'met' if report.right_share >= TARGET_RIGHT and report.wrong_share <= TARGET_WRONG else 'NOT met'}")
    print("\nper labelled district")
    for code, outcome in sorted(report.by_district.items()):
        print(line(f"{code} {district_names()[code]}", outcome))
    print("\nper rule that decided")
    for rule, outcome in sorted(report.by_rule.items()):
        print(line(rule, outcome))

    addresses = [r.address for r in rows] * args.repeat
    start = time.perf_counter()
    for address in addresses:
        resolve_address(address)
    ours = time.perf_counter() - start
    start = time.perf_counter()
    for address in addresses:
        raw_engine(address)
    theirs = time.perf_counter() - start
    print(f"\nspeed over {len(addresses)} resolutions")
    print(f"  resolve_address     {len(addresses) / ours:>10,.0f} addresses/s")
    print(f"  raw district regex  {len(addresses) / theirs:>10,.0f} addresses/s")
    print(f"  ratio               {ours / theirs:>10.1f}x the raw regex's time")

    if args.show_misses:
        print("\nunattributed")
        for row in report.unattributed:
            print(f"  {row.district_code} {row.address}")
        print("wrong")
        for row, found, rule in report.wrong:
            print(f"  {row.district_code} -> {found} ({rule}) {row.address}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

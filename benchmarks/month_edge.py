"""Benchmark January after December: the roster with December's as its previous month against the roster
planned with no history, in the same run.

    python -m benchmarks.month_edge --agents 31 --seed 1 --time-limit 5 --out out/bench-month-edge

Solves a synthetic December, writes its roster.csv, reads it back as the previous month's roster and solves
January with it and without it (the baseline). Each January is checked from its written roster.csv with
December's by the independent checker (scheduler.roster_checks), and the work days in a row across the two
months are counted. Prints ONE JSON object.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from core.rules import DEFAULT_RULES
from scheduler.roster import Roster, load_assignments, solve
from scheduler.roster_checks import longest_work_runs, roster_violations
from scheduler.roster_synthetic import synthetic_month
from shiftcast.exports.tables import ROSTER_CSV, write_roster_csvs


def _measured(roster: Roster, december: pd.DataFrame, staff: pd.DataFrame, out: Path) -> dict:
    rules = DEFAULT_RULES
    write_roster_csvs(out, roster, staff)
    january = load_assignments(out / ROSTER_CSV, rules)
    runs = longest_work_runs(pd.concat([december, january]), rules.shift_codes)
    violations = roster_violations(january, staff, rules, previous_month=december)
    return {
        "seconds": round(roster.seconds, 2), "status": roster.status, "objective": roster.objective,
        "gap": round(roster.gap, 5), "longest_run_across_months": int(runs.max()),
        "people_over_the_limit": int((runs > rules.max_consecutive_work_days).sum()),
        "violations_with_december": len(violations), "violations_sample": violations[:3],
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=31)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=Path("out/bench-month-edge"))
    args = parser.parse_args(argv)

    rules = DEFAULT_RULES
    dec = synthetic_month(args.agents, days=31, seed=args.seed)
    jan = synthetic_month(args.agents, days=31, seed=args.seed + 1, start="2027-01-01")
    staff = dec.staff
    december_roster = solve(dec.requirement, staff, rules, leave=dec.leave, ads=dec.ads,
                            time_limit_s=args.time_limit, seed=args.seed)
    write_roster_csvs(args.out / "2026-12", december_roster, staff)
    december = load_assignments(args.out / "2026-12" / ROSTER_CSV, rules)

    carried = solve(jan.requirement, staff, rules, ads=jan.ads, previous_month=december,
                    time_limit_s=args.time_limit, seed=args.seed)
    blind = solve(jan.requirement, staff, rules, ads=jan.ads, time_limit_s=args.time_limit, seed=args.seed)
    result = {
        "benchmark": "month_edge", "agents": args.agents, "seed": args.seed, "time_limit_s": args.time_limit,
        "max_consecutive_work_days": rules.max_consecutive_work_days,
        "with_previous_month": _measured(carried, december, staff, args.out / "2027-01"),
        "baseline_no_history": _measured(blind, december, staff, args.out / "2027-01-no-history"),
    }
    with_it = result["with_previous_month"]
    result["target"] = {"people_over_the_limit": 0, "violations_with_december": 0,
                        "met": with_it["people_over_the_limit"] == 0 and with_it["violations_with_december"] == 0}
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()

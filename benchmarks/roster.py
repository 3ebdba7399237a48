"""Benchmark the roster solver on a synthetic month against the flat (employee, day, shift) CP-SAT model.

    python -m benchmarks.roster --agents 300 --days 31 --seed 1 --time-limit 10 --out out/bench-roster

Writes requirement.csv, staff.csv, leave.csv, ads.csv, rules.toml and roster.csv to --out, reads them
back with the product's loaders, checks every hard rule from those files (scheduler.roster_checks,
independent of the solver) and prints ONE JSON object, the baseline measured in the same run.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.data import load_ads
from scheduler import roster_model as rm
from scheduler.data import WEEKDAYS, load_leave, load_staff
from scheduler.roster import load_assignments, load_requirement, solve
from scheduler.roster_checks import roster_violations
from scheduler.roster_build import build_problem
from scheduler.roster_synthetic import synthetic_month
from core.rules import DEFAULT_RULES, load_rules, rules_to_toml
from shiftcast.exports.tables import ROSTER_CSV, write_roster_csvs


def write_inputs(month, rules, out: Path) -> dict[str, Path]:
    """The synthetic month as the user's CSV files and the rules as TOML."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {k: out / f"{k}.csv" for k in ("requirement", "staff", "leave", "ads")}
    paths["rules"] = out / "rules.toml"
    req = month.requirement.reset_index()
    req["interval_start"] = req["interval_start"].dt.strftime("%Y-%m-%d %H:%M")
    req.to_csv(paths["requirement"], index=False)
    staff = month.staff.copy()
    staff["shifts"] = staff["shifts"].map(";".join)
    staff["preferred_rest_weekday"] = [WEEKDAYS[int(v)] if pd.notna(v) else "" for v in month.staff["preferred_rest_weekday"]]
    staff.to_csv(paths["staff"], index=False)
    leave = month.leave.copy()
    leave["date"] = leave["date"].dt.strftime("%Y-%m-%d")
    leave.to_csv(paths["leave"], index=False)
    ads = month.ads.copy()
    ads["start"] = ads["start"].dt.strftime("%Y-%m-%d %H:%M:%S")
    ads.to_csv(paths["ads"], index=False)
    paths["rules"].write_text(rules_to_toml(rules), encoding="utf-8")
    return paths


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("out/bench-roster"))
    parser.add_argument("--no-baseline", action="store_true", help="skip the flat-model baseline")
    args = parser.parse_args(argv)

    month = synthetic_month(args.agents, args.days, args.seed, rules=DEFAULT_RULES)
    paths = write_inputs(month, DEFAULT_RULES, args.out)
    rules = load_rules(paths["rules"])
    staff = load_staff(paths["staff"], rules)
    leave = load_leave(paths["leave"], staff, rules)
    ads = load_ads(paths["ads"])
    requirement = load_requirement(paths["requirement"])

    roster = solve(requirement, staff, rules, leave=leave, ads=ads, time_limit_s=args.time_limit)
    write_roster_csvs(args.out, roster, staff)
    written = load_assignments(args.out / ROSTER_CSV, rules)
    violations = roster_violations(written, staff, rules, leave, ads)

    result = {
        "benchmark": "roster",
        "agents": args.agents, "days": args.days, "seed": args.seed, "time_limit_s": args.time_limit,
        "seconds": round(roster.seconds, 2), "status": roster.status,
        "objective": roster.objective, "lower_bound": roster.lower_bound, "gap": round(roster.gap, 5),
        "shortfall_agent_intervals": roster.kpis.shortfall_agent_intervals,
        "airing_shortfall_agent_intervals": roster.kpis.airing_shortfall_agent_intervals,
        "overstaff_agent_intervals": roster.kpis.overstaff_agent_intervals,
        "required_agent_intervals": roster.kpis.required_agent_intervals,
        "conflicts": len(roster.conflicts),
        "hard_rule_violations": len(violations), "violations_sample": violations[:5],
    }
    if not args.no_baseline:
        problem = build_problem(requirement, staff, rules, leave, ads)
        flat = rm.solve_flat(problem, args.time_limit)
        base = {"seconds": round(flat.seconds, 2), "status": flat.status, "objective": flat.objective,
                "lower_bound": flat.bound}
        if flat.found:
            base["gap"] = round((flat.objective - flat.bound) / flat.objective, 5) if flat.objective else 0.0
            base["gap_to_roster_bound"] = round((flat.objective - roster.lower_bound) / flat.objective, 5)
            base["shortfall_agent_intervals"] = int(flat.short.sum())
            base["overstaff_agent_intervals"] = int(flat.over.sum())
        result["baseline_flat_model"] = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in base.items()}
        result["note"] = ("baseline objective has coverage, leader and rest-placement terms only (no fairness, "
                          "request or lunch-assignment terms), so it is at most what the same roster would score here")
    target_gap, target_s = (0.01, 10.0) if args.agents <= 300 else (0.02, 60.0)
    result["target"] = {"gap": target_gap, "seconds": target_s,
                        "met": roster.gap <= target_gap and roster.seconds <= target_s and not violations}
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()

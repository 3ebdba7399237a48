"""The Curtois–Qu shift-scheduling benchmark (schedulingbenchmarks.org) against its best-known values.

    python -m benchmarks.curtois --instance ../shared/datasets/curtois/Instance1.txt --time-limit 60 [--out FILE]

Reads the instance (benchmarks.curtois_qu.instance), writes it as Shiftcast's own input files
(benchmarks.curtois_qu.shiftcast_inputs: rules.toml with a contract per staff line, staff.csv, leave.csv with
the days off and the shift wishes, shift_cover.csv), reads them back with the loaders `shiftcast roster` uses
and solves them with Shiftcast's engine (scheduler.roster.solve). The roster, written to --out as CSV
(`employee,day,shift`), is read back, checked against every hard constraint by the independent checker
(benchmarks.curtois_qu.score.violations) and scored as the benchmark does. The baseline, measured in the same
run with the same time limit, is a plain CP-SAT model of the instance (benchmarks.curtois_qu.plain_model).
Prints one JSON line per instance; without --instance it runs every instance of ../shared/datasets/curtois/.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from benchmarks.curtois_qu.instance import Instance, read_instance
from benchmarks.curtois_qu.plain_model import PlainSolve, solve_plain
from benchmarks.curtois_qu.score import OFF, Roster, penalty, read_roster_csv, violations, write_roster_csv
from benchmarks.curtois_qu.shiftcast_inputs import HORIZON_START, write_inputs
from core.errors import DataError
from core.rules import Rules, load_rules
from scheduler.data import load_leave, load_shift_cover, load_staff
from scheduler.roster import load_requirement, solve

DATASETS = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "curtois"
BEST_KNOWN = {"Instance1": 607, "Instance2": 828, "Instance3": 1001, "Instance4": 1716, "Instance5": 1143,
              "Instance7": 1056, "Instance9": 439, "Instance11": 3443, "Instance13": 1348}
# the targets: the best known itself, or within 5 % of it
TARGET_RATIO = {**{f"Instance{k}": 1.0 for k in (1, 2, 3, 4, 5, 7)},
                **{f"Instance{k}": 1.05 for k in (9, 11, 13)}}


def scored(roster: Roster | None, out: Path, best: int | None) -> dict:
    """The roster written to `out`, read back, checked and scored: the JSON fields of one solve."""
    if roster is None:
        return {"objective": None, "hard_violations": None}
    write_roster_csv(roster, out)
    written = read_roster_csv(roster.instance, out)
    broken = violations(written)
    p = penalty(written)
    return {"objective": p.total, "ratio": round(p.total / best, 4) if best else None,
            "parts": {"on_requests": p.on_requests, "off_requests": p.off_requests,
                      "cover_under": p.cover_under, "cover_over": p.cover_over},
            "hard_violations": len(broken), "violations_sample": broken[:5]}


def plain_fields(s: PlainSolve) -> dict:
    return {"status": s.status, "seconds": round(s.seconds, 2), "lower_bound": round(s.bound, 1)}


class EngineInputs(NamedTuple):
    requirement: pd.DataFrame
    staff: pd.DataFrame
    rules: Rules
    leave: pd.DataFrame
    shift_cover: pd.DataFrame


def engine_inputs(inst: Instance, folder: Path) -> EngineInputs:
    """The instance written as Shiftcast's input files in `folder` and read back with the loaders `shiftcast
    roster` uses."""
    files = write_inputs(inst, folder)
    rules = load_rules(files.rules)
    staff = load_staff(files.staff, rules)
    return EngineInputs(load_requirement(files.requirement), staff, rules, load_leave(files.leave, staff, rules),
                        load_shift_cover(files.shift_cover, rules))


def engine_solve(inst: Instance, time_limit_s: float, folder: Path) -> tuple[Roster, dict]:
    """The instance solved by Shiftcast's engine from its input files in `folder`: the roster and the solve's
    JSON fields (status, seconds, the engine's own conflicts in words)."""
    i = engine_inputs(inst, folder)
    started = time.perf_counter()
    roster = solve(i.requirement, i.staff, i.rules, leave=i.leave, shift_cover=i.shift_cover,
                   time_limit_s=time_limit_s)
    seconds = time.perf_counter() - started
    shift = np.full((len(inst.staff), inst.days), OFF, np.int64)
    a = roster.assignments
    for emp, day, code in a[["employee_id", "date", "shift"]].itertuples(index=False):
        if code in inst.shift_index:
            shift[inst.employee_index[emp], (pd.Timestamp(day) - HORIZON_START).days] = inst.shift_index[code]
    hard = [c for c in roster.conflicts if c.rule != "shift cover"]  # cover is soft in the benchmark too
    return Roster(inst, shift), {"status": roster.status, "seconds": round(seconds, 2),
                                 "engine_conflicts": len(hard), "engine_conflicts_sample": [c.message for c in hard[:3]]}


def run(path: Path, time_limit_s: float, out: Path | None) -> dict:
    """One instance: the JSON object of its line."""
    inst = read_instance(path)
    best = BEST_KNOWN.get(inst.name)
    result = {"benchmark": "curtois", "instance": inst.name, "days": inst.days, "staff": len(inst.staff),
              "shifts": len(inst.shifts), "time_limit_s": time_limit_s, "best_known": best,
              "load_average_1min": round(os.getloadavg()[0], 2)}
    with tempfile.TemporaryDirectory() as tmp:
        roster, fields = engine_solve(inst, time_limit_s, Path(tmp) / "inputs")
        engine = {**fields, **scored(roster, out or Path(tmp) / "roster.csv", best)}
        plain = solve_plain(inst, time_limit_s)
        base = {**plain_fields(plain), **scored(plain.roster, Path(tmp) / "plain.csv", best)}
    result["shiftcast"] = engine
    result["baseline_plain_model"] = base
    target = TARGET_RATIO.get(inst.name)
    if target is not None:
        result["target"] = {"ratio": target, "met": _meets(engine, best, target),
                            "met_by_baseline": _meets(base, best, target)}
    return result


def _meets(fields: dict, best: int, ratio: float) -> bool:
    return fields["objective"] is not None and fields["hard_violations"] == 0 and fields["objective"] <= best * ratio


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", type=Path, action="append",
                        help="an instance file (repeatable); default: every instance in ../shared/datasets/curtois")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance and model")
    parser.add_argument("--out", type=Path, help="the roster as CSV employee,day,shift (one --instance only)")
    args = parser.parse_args(argv)
    paths = args.instance or sorted(DATASETS.glob("Instance*.txt"), key=lambda p: int(p.stem[8:]))
    if not paths:
        parser.error(f"no --instance given and no instances in {DATASETS}")
    if args.out and len(paths) > 1:
        parser.error("--out takes one --instance")
    results = []
    for path in paths:
        try:
            result = run(path, args.time_limit, args.out)
        except DataError as e:
            sys.exit(f"error: {e}")
        print(json.dumps(result, ensure_ascii=False), flush=True)
        results.append(result)
    return results


if __name__ == "__main__":
    main()

"""What people see at the edges: HR files rounded for people, one note per unknown holiday year, help text
as written, counted nouns that agree with their number, and times outside pandas' range named by row."""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner

from cli import main
from core.errors import DataError
from core.periods import month_start
from core.rules import DEFAULT_RULES
from core.words import counted

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
DECIMALS = re.compile(r"\.\d{2,}")  # a cell with more than one decimal


def _cli(*args: str):
    return CliRunner().invoke(main, list(args))


# --- counted nouns -----------------------------------------------------------------------------------------------

def test_counted_nouns_agree_with_their_number():
    assert counted(1, "interval") == "1 interval"
    assert counted(0, "interval") == "0 intervals"
    assert counted(1200, "call") == "1,200 calls"
    assert counted(1, "person", "people") == "1 person" and counted(2, "person", "people") == "2 people"


def _roster(short: int, airing_windows: int = 0):
    kpis = SimpleNamespace(expected_service_level=0.9, expected_abandoned_calls=10.0, short_intervals=short,
                           shortfall_agent_intervals=4, airing_shortfall_agent_intervals=0, overstaff_agent_intervals=8,
                           paid_hours=1000.0, overtime_hours=0.0, late_shift_spread=1, weekend_rest_spread=1)
    return SimpleNamespace(kpis=kpis, status="OPTIMAL", objective=1.0, lower_bound=1.0, gap=0.0, seconds=1.0, conflicts=[])


def test_plan_says_one_interval_short_not_one_intervals():
    from shiftcast.pipeline import roster_summary_lines

    assert any(line.startswith("1 interval short by") for line in roster_summary_lines(_roster(1), DEFAULT_RULES))
    assert any(line.startswith("2 intervals short by") for line in roster_summary_lines(_roster(2), DEFAULT_RULES))


def test_hiring_report_says_one_hire(tmp_path):
    from shiftcast.headcount_reports import hiring_report

    said: list[str] = []
    plan = hiring_report(pd.Series({"2027-01": 11.0}), 10.0, tmp_path, said.append, as_of=pd.Timestamp("2026-11-01"),
                         attrition=0.0, training_attrition=0.0, ramp=())
    assert plan.total_hires == 1
    assert any(line.startswith("1 hire in all;") for line in said), said

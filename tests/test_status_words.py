"""The solver status in words, as the CLI prints it and the workbook writes it."""
from __future__ import annotations

import pandas as pd

from core.rules import DEFAULT_RULES
from shiftcast.exports.labels import status_words
from shiftcast.exports.specimen import specimen_roster
from shiftcast.pipeline import roster_summary_lines


def test_each_status_says_what_it_promises_and_how_far_from_the_best_it_may_be():
    assert status_words("OPTIMAL", 0.0, 0, "en") == "the best roster possible: proven, none is better"
    assert status_words("FEASIBLE", 0.0034, 0, "en") == (
        "a good roster, not proven best: the solver stopped at its time limit at most 0.34% from the best possible")
    assert status_words("RELAXED", 0.0034, 55, "en") == (
        "the rules cannot all hold (55 conflicts, listed below): this roster gives way where it costs least; "
        "the solver stopped at its time limit at most 0.34% from the best possible")
    assert status_words("RELAXED", 0.0, 2, "en").endswith("; proven the best possible")
    zh = status_words("RELAXED", 0.0034, 55, "zh")
    assert "55 项冲突" in zh and "0.34%" in zh and not any("a" <= ch <= "z" for ch in zh)
    assert status_words("CANCELLED", 0.5, 0, "zh") == "求解已取消：这是取消前找到的最好排班"


def test_the_cli_summary_says_the_status_in_words_under_its_numbers():
    staff = pd.DataFrame([("L1", "Li", "group_leader", "1组", "1队"), ("A1", "Wang", "agent", "1组", "1队")],
                         columns=["employee_id", "name", "role", "group", "team"])
    roster = specimen_roster(staff, "2026-12")
    roster.status, roster.gap = "FEASIBLE", 0.0034
    lines = roster_summary_lines(roster, DEFAULT_RULES)
    assert lines[0].startswith("status FEASIBLE, objective")
    assert lines[1] == "FEASIBLE: " + status_words("FEASIBLE", 0.0034, 0, "en")

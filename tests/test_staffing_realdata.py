"""Erlang C and A against the Israeli bank's real queue (skipped when ../shared/datasets is absent)."""
from __future__ import annotations

import pytest

from benchmarks import erlang_realdata

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.slow,
    pytest.mark.skipif(not erlang_realdata.DATASET.exists(), reason="../shared/datasets not present"),
]


@pytest.fixture(scope="module")
def calls():
    return erlang_realdata.queue_calls()


def test_queue_callers_and_patience_are_plausible(calls):
    assert 30_000 < len(calls) < 33_344  # PHANTOM and VRU-only hang-ups are left out
    assert 0.10 < 1 - calls["served"].mean() < 0.15
    assert 120 < erlang_realdata.patience_estimate(calls) < 900  # a few minutes, as published for this bank
    assert 150 < calls["handle_s"].mean() < 200


def test_erlang_a_predicts_abandonment_and_waits_erlang_c_cannot(calls):
    table = erlang_realdata.interval_table(calls)
    assert 3 <= table["agents"].max() <= 25
    result = erlang_realdata.compare(table, erlang_realdata.patience_estimate(calls))
    a, c = result["erlang_a"]["mae"], result["erlang_c"]["mae"]
    assert a["abandon_rate"] < 0.7 * c["abandon_rate"]
    assert a["asa_s_where_erlang_c_is_stable"] < 0.2 * c["asa_s_where_erlang_c_is_stable"]
    # The month's abandonment is predicted within a factor of two (Erlang C says none).
    observed = result["observed_month"]["abandon_rate"]
    assert observed / 2 < result["erlang_a"]["predicted_month"]["abandon_rate"] < observed * 2

"""Erlang B / C / A against exact references, identities, limits and a queue simulation."""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

from scheduler import erlang

mp = mpmath.mp


def _erlang_b_fraction(n: int, a: int) -> Fraction:
    """Erlang B in exact rational arithmetic from its definition (a^n/n!) / Σ a^k/k!."""
    terms = [Fraction(a**k, math.factorial(k)) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def _erlang_b_mpmath(n: int, a: float):
    """Erlang B = a^n e^-a / Γ(n+1, a) (upper incomplete gamma), at 50 digits."""
    with mp.workdps(50):
        a = mpmath.mpf(a)
        return mpmath.exp(n * mpmath.log(a) - a) / mpmath.gammainc(n + 1, a)


def _erlang_a_reference(n: int, a: float, aht: float, patience: float, t: float, depth: int = 40):
    """M/M/N+M measures from the truncated state probabilities and the hypoexponential offered wait.

    Independent of the series used by scheduler.erlang: states are summed one by one, and the wait of
    a caller with j ahead is a sum of exponentials with rates Nμ + mθ, integrated term by term.
    """
    with mp.workdps(80):
        lam, mu, th = mpmath.mpf(a) / aht, 1 / mpmath.mpf(aht), 1 / mpmath.mpf(patience)
        t = mpmath.mpf(t)
        below = [mpmath.mpf(a) ** k / mpmath.factorial(k) for k in range(n)]
        top = mpmath.mpf(a) ** n / mpmath.factorial(n)
        queue = [top]
        for k in range(1, depth):
            queue.append(queue[-1] * lam / (n * mu + k * th))
        total = sum(below) + sum(queue)
        p_wait = sum(queue) / total
        p_abandon = th * sum(j * q for j, q in enumerate(queue)) / total / lam
        within, wait_served = sum(below) / total, mpmath.mpf(0)
        for j, q in enumerate(queue):
            rates = [n * mu + m * th for m in range(j + 1)]
            for m, r in enumerate(rates):
                c = mpmath.fprod(s / (s - r) for i, s in enumerate(rates) if i != m)
                within += q / total * c * r * (1 - mpmath.exp(-(r + th) * t)) / (r + th)
                wait_served += q / total * c * r / (r + th) ** 2
        occupancy = lam * (1 - p_abandon) / (n * mu)
        return [float(v) for v in (p_wait, within, wait_served / (1 - p_abandon), occupancy, p_abandon)]


@pytest.mark.parametrize("a", [1, 7, 25])
def test_erlang_b_matches_exact_fractions(a):
    n = np.arange(0, 61)
    got = erlang.erlang_b(n, a)
    want = np.array([float(_erlang_b_fraction(k, a)) for k in n])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)


@pytest.mark.parametrize(
    "n, a",
    [(1, 0.5), (2, 1.7), (30, 24.4), (100, 95.3), (1000, 990.7), (3400, 3333.3), (5000, 4930.2),
     (12_000, 11_900.0), (20_000, 19_800.5), (20_000, 19_999.9), (20_000, 19_000.0)],
)
def test_erlang_b_and_c_match_mpmath_up_to_20000_agents(n, a):
    b_ref = _erlang_b_mpmath(n, a)
    c_ref = n * b_ref / (n - a * (1 - b_ref))
    assert erlang.erlang_b(n, a) == pytest.approx(float(b_ref), rel=1e-9)
    assert erlang.erlang_c(n, a) == pytest.approx(float(c_ref), rel=1e-9)


def test_vectorised_erlang_b_equals_one_at_a_time():
    n = np.array([0, 3, 40, 7, 250, 3])
    a = np.array([5.0, 2.5, 38.0, 0.0, 240.0, 2.5])
    one_by_one = [erlang.erlang_b(k, x) for k, x in zip(n, a)]
    np.testing.assert_array_equal(erlang.erlang_b(n, a), one_by_one)
    # The numpy path (many intervals) agrees with the scalar path to the last bits.
    many = np.tile(n, 10), np.tile(a, 10)
    np.testing.assert_allclose(erlang.erlang_b(*many), np.tile(one_by_one, 10), rtol=1e-14)


def test_erlang_c_reference_value():
    # 100 calls / 30 min at 180 s = 10 Erlangs on 14 agents.
    m = erlang.erlang_c_measures(14, 10.0, 180.0, 20.0)
    assert m.prob_wait == pytest.approx(0.1741319335950498, rel=1e-12)
    assert m.service_level == pytest.approx(0.8883500191794669, rel=1e-12)
    assert m.occupancy == pytest.approx(10 / 14, rel=1e-15)


def test_erlang_c_without_steady_state_is_reported_as_such():
    m = erlang.erlang_c_measures(np.array([0, 5, 10, 11]), 10.0, 180.0, 20.0)
    np.testing.assert_array_equal(m.service_level[:3], 0.0)
    np.testing.assert_array_equal(m.asa_s[:3], np.inf)
    np.testing.assert_array_equal(m.prob_wait[:3], 1.0)
    assert 0 < m.service_level[3] < 1 and np.isfinite(m.asa_s[3])


@pytest.mark.parametrize(
    "n, a, aht, patience, t",
    [
        (5, 4.0, 180.0, 180.0, 20.0),  # light load
        (10, 8.0, 240.0, 240.0, 20.0),
        (3, 6.0, 300.0, 150.0, 20.0),  # overloaded: twice the load of the agents
        (1, 4.0, 60.0, 30.0, 10.0),  # heavily overloaded, one agent
        (12, 9.6, 180.0, 90.0, 0.0),  # zero answer time
        (7, 7.0, 200.0, 100.0, 60.0),  # load equal to agents
    ],
)
def test_erlang_a_matches_state_by_state_reference(n, a, aht, patience, t):
    got = erlang.erlang_a_measures(n, a, aht, patience, t)
    want = _erlang_a_reference(n, a, aht, patience, t)
    fields = (got.prob_wait, got.service_level, got.asa_s, got.occupancy, got.abandon_rate)
    for name, g, w in zip(("prob_wait", "service_level", "asa_s", "occupancy", "abandon_rate"), fields, want):
        assert g == pytest.approx(w, rel=1e-9, abs=1e-14), name


def test_erlang_a_tends_to_erlang_c_when_nobody_hangs_up():
    n, a = np.array([12, 14, 20, 120]), np.array([10.0, 10.0, 18.5, 110.0])
    c = erlang.erlang_c_measures(n, a, 180.0, 20.0)
    e = erlang.erlang_a_measures(n, a, 180.0, 1e9, 20.0)
    np.testing.assert_allclose(e.prob_wait, c.prob_wait, rtol=1e-5)
    np.testing.assert_allclose(e.service_level, c.service_level, rtol=1e-5)
    np.testing.assert_allclose(e.asa_s, c.asa_s, rtol=1e-4)
    assert np.all(e.abandon_rate < 1e-5)


def test_erlang_a_with_no_agents_loses_every_caller():
    m = erlang.erlang_a_measures(np.array([0, 0]), np.array([3.0, 0.0]), 180.0, 60.0, 20.0)
    assert m.abandon_rate.tolist() == [1.0, 0.0]
    assert m.service_level.tolist() == [0.0, 1.0]
    assert m.asa_s[0] == np.inf


def test_erlang_a_heavy_overload_follows_the_fluid_limit():
    # 3,333 Erlangs on 1,000 agents with 10-minute patience: about 1 − 1000/3333 of callers hang up.
    m = erlang.erlang_a_measures(1000, 10_000 / 3, 300.0, 600.0, 20.0)
    assert m.abandon_rate == pytest.approx(1 - 1000 / (10_000 / 3), rel=2e-3)
    assert m.occupancy == pytest.approx(1.0, abs=1e-3)
    assert np.isfinite(m.asa_s) and m.asa_s > 0


def test_erlang_a_measures_are_monotone_in_agents():
    n = np.arange(1, 40)
    m = erlang.erlang_a_measures(n, 20.0, 240.0, 90.0, 20.0)
    assert np.all(np.diff(m.service_level) > 0)
    assert np.all(np.diff(m.abandon_rate) < 0)
    assert np.all(np.diff(m.prob_wait) < 0)
    assert np.all(np.diff(m.asa_s) < 0)


def test_log_scale_and_plain_series_agree(monkeypatch):
    n = np.array([1, 3, 10, 14, 40, 200, 3400])
    a = np.array([4.0, 6.0, 8.0, 10.0, 55.0, 180.0, 3333.3])
    plain = erlang.erlang_a_measures(n, a, 240.0, 120.0, 20.0)
    monkeypatch.setattr(erlang, "_LOG_SCALE_ABOVE", -1.0)  # every series in log scale
    logged = erlang.erlang_a_measures(n, a, 240.0, 120.0, 20.0)
    for field in ("prob_wait", "service_level", "asa_s", "occupancy", "abandon_rate"):
        np.testing.assert_allclose(getattr(plain, field), getattr(logged, field), rtol=1e-11)


@pytest.mark.parametrize("z", [1e-3, 0.5, 3.0, 30.0, 300.0, 3000.0, 30000.0])
@pytest.mark.parametrize("gap", [-50.0, -2.0, 0.0, 2.0, 50.0])
def test_series_width_keeps_every_term_that_matters(z, gap):
    x = np.array([max(z + gap * np.sqrt(z), 0.1)])
    width = int(erlang._series_width(x, np.array([z]))[0])
    ratio = z / (x + np.arange(1, 2 * width + 1))[:, None]
    w, _ = erlang._series_terms(ratio, log_scale=True)
    assert w[width + 1 :, 0].sum() <= 1e-15 * w[: width + 1, 0].sum()


@pytest.mark.filterwarnings("error")
def test_vanishing_load_is_no_load():
    m = erlang.erlang_a_measures(np.array([1, 3, 0]), 1e-320, 451.0, 90.0, 20.0)
    assert m.abandon_rate.tolist() == [0.0, 0.0, 1.0]
    assert m.service_level.tolist() == [1.0, 1.0, 0.0]
    c = erlang.erlang_c_measures(np.array([1, 3]), 1e-320, 451.0, 20.0)
    assert c.service_level.tolist() == [1.0, 1.0]

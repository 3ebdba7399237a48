"""Erlang A against a discrete-event simulation (ciw) of the same M/M/N+M queue.

Independent replications give a standard error; each measure must agree within four of them. The
spread of five replications is itself noisy, so it is never taken below twice the binomial standard
error of all the callers simulated (waits of neighbouring callers are correlated).
"""
from __future__ import annotations

import numpy as np
import pytest

from scheduler import erlang

ciw = pytest.importorskip("ciw")

REPLICATIONS = 5
ARRIVALS_PER_REPLICATION = 4_000


def _simulate(n: int, load: float, aht: float, patience: float, t: float, seed: int) -> dict[str, float]:
    """One replication: the measures over callers arriving after a warm-up, before the cool-down."""
    lam = load / aht
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1 / aht)],
        number_of_servers=[n],
        reneging_time_distributions=[ciw.dists.Exponential(rate=1 / patience)],
    )
    ciw.seed(seed)
    sim = ciw.Simulation(network)
    body = ARRIVALS_PER_REPLICATION / lam
    warm, cool = 0.1 * body, 10 * (patience + aht)  # callers arriving near the end may not be recorded yet
    sim.simulate_until_max_time(warm + body + cool)
    rows = [r for r in sim.get_all_records() if warm <= r.arrival_date < warm + body]
    waits = np.array([r.waiting_time for r in rows])
    served = np.array([r.record_type == "service" for r in rows])
    return {
        "prob_wait": float(np.mean(waits > 0)),
        "abandon_rate": float(np.mean(~served)),
        "service_level": float(np.mean(served & (waits <= t))),
        "asa_s": float(waits[served].mean()) if served.any() else np.inf,
    }


@pytest.mark.slow
@pytest.mark.parametrize(
    "n, load, aht, patience, t",
    [
        (14, 10.0, 180.0, 90.0, 20.0),  # the reference interval, default patience
        (5, 4.0, 180.0, 180.0, 20.0),  # small group
        (25, 25.0, 240.0, 120.0, 20.0),  # critically loaded: agents = load
        (3, 6.0, 300.0, 150.0, 20.0),  # overloaded: twice the load of the agents
        (20, 25.0, 240.0, 600.0, 30.0),  # overloaded, patient callers
        (1, 4.0, 60.0, 30.0, 10.0),  # one agent, four times overloaded
    ],
)
def test_erlang_a_agrees_with_simulation(n, load, aht, patience, t):
    runs = [_simulate(n, load, aht, patience, t, seed) for seed in range(REPLICATIONS)]
    model = erlang.erlang_a_measures(n, load, aht, patience, t)
    for name in ("prob_wait", "abandon_rate", "service_level", "asa_s"):
        values = np.array([r[name] for r in runs])
        mean, se = values.mean(), values.std(ddof=1) / np.sqrt(REPLICATIONS)
        expected = float(getattr(model, name))
        if name == "asa_s":
            tolerance = 4 * se + 0.03 * expected
        else:
            binomial = np.sqrt(expected * (1 - expected) / (REPLICATIONS * ARRIVALS_PER_REPLICATION))
            tolerance = 4 * max(se, 2 * binomial) + 0.002
        assert abs(mean - expected) <= tolerance, (name, mean, se, expected)

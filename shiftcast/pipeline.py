"""The whole planning pipeline for one month, as `shiftcast demo` and `shiftcast plan` run it.

Each step is a pure function of the packages (forecasting, scheduler); this module only strings them
together, reports progress and writes the results into an output folder.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from shiftcast.inputs import InputPaths, Inputs, load_inputs, summary_lines

Echo = Callable[[str], None]


@dataclass
class PlanResult:
    """What a planning run produced; later steps fill more fields."""

    inputs: Inputs
    month: str
    out_dir: Path
    files: list[Path] = field(default_factory=list)


def run_plan(paths: InputPaths, month: str, out_dir: Path, echo: Echo = print) -> PlanResult:
    """Load and check the inputs, then plan `month`, writing results into `out_dir`."""
    inputs = load_inputs(paths)
    echo("Inputs")
    for line in summary_lines(inputs):
        echo("  " + line)
    out_dir.mkdir(parents=True, exist_ok=True)
    return PlanResult(inputs=inputs, month=month, out_dir=out_dir)

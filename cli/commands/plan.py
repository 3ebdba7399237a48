"""`shiftcast plan` and `shiftcast demo`: the whole pipeline, on the user's files or the bundled sample."""
from __future__ import annotations

from pathlib import Path

import click

from cli.commands.validate import input_options
from shiftcast.inputs import SAMPLE_MONTH, InputPaths, no_history_line
from shiftcast.pipeline import run_plan

_out = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                    show_default=True, help="folder for the results")
_lang = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
                     help="language of labels in the exports and charts")
_time_limit = click.option("--time-limit", "time_limit_s", type=click.FloatRange(1, 3600), default=20.0,
                           show_default=True, help="seconds the roster solver may take")
_seed = click.option("--seed", type=click.IntRange(min=0), default=None,
                     help="a reproducible roster: the same inputs and seed give the same roster on any machine load "
                          "(one solver worker; the time limit counts the solver's deterministic time)")


@click.command("plan")
@input_options
@click.option("--month", required=True, help="the month to plan, e.g. 2026-12")
@_out
@_lang
@_time_limit
@_seed
def command(month: str, out_dir: Path, lang: str, time_limit_s: float, seed: int | None, **paths: Path | None) -> None:
    """Plan a month on your own files: forecast, staffing, roster, headcount, exports."""
    if paths["staff"] and not paths["previous_month"]:
        click.echo(no_history_line(month))
    run_plan(InputPaths(**paths), month, out_dir, echo=click.echo, lang=lang, time_limit_s=time_limit_s, seed=seed)


@click.command("demo")
@_out
@_lang
@_time_limit
def demo_command(out_dir: Path, lang: str, time_limit_s: float) -> None:
    """Run the whole pipeline on the bundled sample data (December 2026)."""
    click.echo(f"Shiftcast demo: planning {SAMPLE_MONTH} on the bundled sample data")
    run_plan(InputPaths.sample(), SAMPLE_MONTH, out_dir, echo=click.echo, lang=lang, time_limit_s=time_limit_s)

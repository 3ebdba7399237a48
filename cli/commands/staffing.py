"""`shiftcast staffing`: agents needed per interval for a forecast or a call history (the requirement step)."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from core import tables, times
from core.errors import DataError
from forecasting.data import CALLS_COLUMNS, CALLS_OPTIONAL, calls_from_table
from shiftcast.exports.tables import FORECAST_COLUMNS, write_frame_csv
from shiftcast.inputs import InputPaths, load_inputs
from shiftcast.pipeline import requirement_callback_line
from shiftcast.steps import requirement_step

_file = click.Path(exists=True, dir_okay=False, path_type=Path)
HISTORY_COLUMNS = CALLS_COLUMNS[1:] + CALLS_OPTIONAL  # a call history's, after interval_start


def calls_to_staff(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The calls per interval to staff as a `mean` column (a forecast.csv's `mean`, or a history's `calls`)
    on the file's grid, and the file itself as a call history when it is one (else None)."""
    frame = tables.read_table(path, ("interval_start",), HISTORY_COLUMNS + FORECAST_COLUMNS)
    source = frame.attrs["source"]
    forecast_columns = [c for c in FORECAST_COLUMNS if c in frame]
    if forecast_columns and any(c in frame for c in HISTORY_COLUMNS):
        raise DataError(source, f"mixes a call history's columns with a forecast's '{forecast_columns[0]}'; "
                        "give one of them", row=1, column=forecast_columns[0])
    if "calls" in frame:
        history = calls_from_table(frame)
        return history[["calls"]].rename(columns={"calls": "mean"}), history
    if "mean" not in frame:
        raise DataError(source, "needs a 'calls' column (a call history) or a 'mean' column (a forecast.csv)",
                        row=1, column="calls")
    return _forecast_calls(frame), None


def _forecast_calls(frame: pd.DataFrame) -> pd.DataFrame:
    """A forecast.csv's expected calls (`mean` ≥ 0) on its interval grid, in time order."""
    starts = tables.datetimes(frame, "interval_start")
    step = times.grid_minutes(starts)
    tables.fail_at(frame, times.off_grid(starts, step), "interval_start", times.grid_phrase(step))
    tables.no_duplicates(frame, starts, "interval_start", "interval")
    mean = tables.numbers(frame, "mean", minimum=0).to_numpy()
    out = pd.DataFrame({"mean": mean}, index=pd.DatetimeIndex(starts, name="interval_start")).sort_index()
    out.attrs.update(interval_minutes=step, source=frame.attrs["source"])
    return out


@click.command("staffing")
@click.option("--calls", "calls_path", type=_file, required=True,
              help="the calls per interval to staff: a forecast.csv (its `mean`) or a call history CSV (its `calls`)")
@click.option("--history", "history_path", type=_file, default=None,
              help="call history CSV with aht_s, to learn the handle time at each time of day from its last 8 weeks "
                   "[default: --calls when it is a history, else the rules' service.aht_s]")
@click.option("--rules", "rules_path", type=_file, help="rules TOML with the [service] targets (defaults when omitted)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("requirement.csv"),
              show_default=True, help="where to write the requirement CSV (the requirement.csv `shiftcast plan` writes)")
@click.option("--model", type=click.Choice(["erlang_c", "erlang_a"]), default="erlang_c", show_default=True,
              help="queue model the targets are met with (Erlang A uses service.patience_s)")
def command(calls_path: Path, history_path: Path | None, rules_path: Path | None, out: Path, model: str) -> None:
    """Write the agents needed per interval (and the service they give) as CSV: the staffing step of
    `shiftcast plan`, for a forecast (e.g. `shiftcast forecast`'s forecast.csv with --history calls.csv)
    or for the calls of a history."""
    calls, own_history = calls_to_staff(calls_path)
    inputs = load_inputs(InputPaths(calls=history_path, rules=rules_path))
    if inputs.calls is None:
        inputs.calls = own_history
    table = requirement_step(inputs, calls, model=model)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_frame_csv(out, table)
    minutes = table.attrs["interval_minutes"]
    click.echo(
        f"wrote {out}: {len(table)} intervals, peak {table['agents'].max()} agents on the phones "
        f"({table['scheduled'].max()} to schedule), {table['agents'].sum() * minutes / 60:,.0f} agent-hours "
        f"({model.replace('_', ' ').title()}); handle time {_handle_time_source(inputs.calls)}"
    )
    if "callbacks" in table:
        click.echo(requirement_callback_line(table) + " (no ad plan here: `plan` keeps callbacks out of airings)")


def _handle_time_source(history: pd.DataFrame | None) -> str:
    """Where the handle times came from, for the summary line."""
    if history is None or "aht_s" not in history or history["aht_s"].notna().sum() == 0:
        return "from the rules (service.aht_s)"
    return f"learnt from {history.attrs.get('source', 'the history')} by time of day"

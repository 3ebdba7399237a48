"""`shiftcast staffing`: agents needed per interval for a calls file (history or forecast)."""
from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from forecasting.data import load_calls
from scheduler.staffing import requirements
from core.rules import Rules, load_rules

_file = click.Path(exists=True, dir_okay=False, path_type=Path)


def requirement_table(calls: pd.DataFrame, rules: Rules, model: str = "erlang_c") -> pd.DataFrame:
    """Requirements for a loaded calls table: its own AHT where measured, else the rules' AHT."""
    aht = calls["aht_s"].fillna(rules.service.aht_s) if "aht_s" in calls else rules.service.aht_s
    minutes = calls.attrs.get("interval_minutes", rules.interval_minutes)
    table = requirements(calls["calls"].astype(float), aht, rules.service, minutes, model=model)
    table.attrs["interval_minutes"] = minutes
    return table


@click.command("staffing")
@click.option("--calls", "calls_path", type=_file, required=True, help="interval counts CSV (interval_start, calls, …)")
@click.option("--rules", "rules_path", type=_file, help="rules TOML with the [service] targets (defaults when omitted)")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("requirement.csv"),
              show_default=True, help="where to write the requirement CSV")
@click.option("--model", type=click.Choice(["erlang_c", "erlang_a"]), default="erlang_c", show_default=True,
              help="queue model the targets are met with (Erlang A uses service.patience_s)")
def command(calls_path: Path, rules_path: Path | None, out: Path, model: str) -> None:
    """Write the agents needed per interval (and the service they give) as CSV."""
    rules = load_rules(rules_path)
    table = requirement_table(load_calls(calls_path), rules, model)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index_label="interval_start", date_format="%Y-%m-%d %H:%M:%S")
    minutes = table.attrs["interval_minutes"]
    click.echo(
        f"wrote {out}: {len(table)} intervals, peak {table['agents'].max()} agents on the phones "
        f"({table['scheduled'].max()} to schedule), {table['agents'].sum() * minutes / 60:,.0f} agent-hours "
        f"({model.replace('_', ' ').title()})"
    )

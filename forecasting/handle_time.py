"""Average handle time expected in future intervals, from the recent history."""
from __future__ import annotations

import numpy as np
import pandas as pd

from core import times


def aht_profile(calls: pd.DataFrame, index: pd.DatetimeIndex, default_s: float, weeks: int = 8) -> pd.Series:
    """Expected AHT (s) on `index`: the call-weighted mean AHT of the last `weeks` weeks at the same
    time of day, separately for weekends (callers there talk longer); `default_s` where none was measured."""
    index = times.local_index(index, "index", "interval_start")
    calls = calls.set_axis(times.local_index(calls.index, calls.attrs.get("source", "calls"), "interval_start"))
    if "aht_s" not in calls or calls["aht_s"].notna().sum() == 0:
        return pd.Series(default_s, index=index, name="aht_s")
    recent = calls[calls.index >= calls.index.max() - pd.Timedelta(weeks=weeks)]
    recent = recent[recent["aht_s"].notna() & (recent["calls"] > 0)]

    def keys(ix: pd.DatetimeIndex) -> pd.MultiIndex:
        return pd.MultiIndex.from_arrays([ix.day_of_week >= 5, ix.hour * 60 + ix.minute], names=["weekend", "minute"])

    weighted = (recent["aht_s"] * recent["calls"]).groupby(keys(recent.index)).sum()
    volume = recent["calls"].groupby(keys(recent.index)).sum()
    table = weighted / volume
    values = table.reindex(keys(index)).to_numpy(dtype=float)
    fallback = float((recent["aht_s"] * recent["calls"]).sum() / recent["calls"].sum()) if len(recent) else default_s
    return pd.Series(np.where(np.isnan(values), fallback, values), index=index, name="aht_s")

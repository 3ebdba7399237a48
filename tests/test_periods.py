"""Planning periods: a month's days and open intervals, and clear errors for anything else."""
import pandas as pd
import pytest

from core.errors import DataError
from core.periods import month_days, month_intervals
from core.rules import Rules


def test_december_has_31_days_of_40_open_intervals():
    index = month_intervals("2026-12")
    assert len(month_days("2026-12")) == 31 and len(index) == 31 * 40
    assert index[0] == pd.Timestamp("2026-12-01 08:00") and index[-1] == pd.Timestamp("2026-12-31 17:45")


def test_interval_length_follows_the_rules():
    assert len(month_intervals("2027-02", Rules(interval_minutes=60))) == 28 * 10


@pytest.mark.parametrize("bad", ["December", "2026-13", "2026-1", "26-12", ""])
def test_bad_month_is_refused(bad):
    with pytest.raises(DataError, match="month like 2026-12"):
        month_days(bad)

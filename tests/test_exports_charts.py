"""PNG charts: valid images of a sane size, airings placed on the right intervals, Chinese handled."""
from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib import image as mpimg

from shiftcast.exports import charts
from core.periods import open_intervals
from core.rules import DEFAULT_RULES

DAYS = pd.date_range("2026-12-01", "2026-12-03", freq="D")
INDEX = open_intervals(DAYS, DEFAULT_RULES)  # 08:00..17:45, 40 a day


def png_shape(data: bytes) -> tuple[int, ...]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    return mpimg.imread(io.BytesIO(data), format="png").shape


def coverage() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    required = rng.integers(5, 15, len(INDEX))
    staffed = required + rng.integers(-3, 3, len(INDEX))
    return pd.DataFrame({"required": required, "staffed": staffed, "airing": rng.random(len(INDEX)) < 0.1}, index=INDEX)


def sane(shape) -> None:
    height, width = shape[:2]
    assert 400 <= height <= 1200 and 800 <= width <= 2000 and height < width


def test_coverage_chart_is_a_wide_png():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no Chinese font on this machine is fine here
        sane(png_shape(charts.coverage_chart(coverage(), lang="zh")))
    sane(png_shape(charts.coverage_chart(coverage(), lang="en")))


def test_forecast_chart_with_interval_and_airings():
    mean = pd.Series(np.linspace(10, 50, len(INDEX)), index=INDEX)
    forecast = pd.DataFrame({"mean": mean, "lower": mean * 0.8, "upper": mean * 1.2})
    ads = pd.DataFrame({"start": [pd.Timestamp("2026-12-01 09:07"), pd.Timestamp("2026-12-02 21:00")]})
    image = mpimg.imread(io.BytesIO(charts.forecast_chart(forecast, ads, lang="en")), format="png")
    sane(image.shape)
    assert image[..., :3].std() > 0.05  # something is drawn, not a blank canvas


def test_airings_map_to_the_interval_they_start_in_and_closed_hours_are_dropped():
    starts = [pd.Timestamp("2026-12-01 09:07"), pd.Timestamp("2026-12-02 08:00"), pd.Timestamp("2026-12-02 21:00"),
              pd.Timestamp("2026-11-30 12:00")]
    assert list(charts.airing_positions(INDEX, starts)) == [4, 40]
    assert len(charts.airing_positions(INDEX, [])) == 0


def test_ad_response_chart_draws_a_line_per_channel():
    minutes = np.arange(0, 61, 5)
    curve = pd.DataFrame({"CCTV-2": 30 * np.exp(-minutes / 8), "HNTV": 20 * np.exp(-minutes / 12)},
                         index=pd.Index(minutes, name="minute"))
    image = mpimg.imread(io.BytesIO(charts.ad_response_chart(curve, lang="en")), format="png")
    sane(image.shape)
    assert image[..., :3].std() > 0.05


def test_chinese_labels_fall_back_to_english_without_a_chinese_font():
    if charts.cjk_font() is not None:
        assert charts.chart_lang("zh") == "zh"
    else:
        with pytest.warns(UserWarning, match="Chinese font"):
            assert charts.chart_lang("zh") == "en"
    assert charts.chart_lang("en") == "en"


@pytest.mark.skipif(charts.cjk_font() is None, reason="no CJK font on this machine (CI installs fonts-wqy-microhei)")
def test_a_cjk_font_installed_after_matplotlib_made_its_font_cache_is_found(tmp_path):
    """matplotlib's font list is a cache made on first use; a font installed later must not read as missing."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}
    find = "from shiftcast.exports import charts; print(charts.cjk_font())"
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, check=True)
    (cache,) = tmp_path.glob("fontlist-*.json")
    fonts = json.loads(cache.read_text())
    fonts["ttflist"] = [f for f in fonts["ttflist"] if f["name"] not in charts.CJK_FONTS]  # as before the install
    cache.write_text(json.dumps(fonts))
    found = subprocess.run([sys.executable, "-c", find], env=env, capture_output=True, text=True, check=True).stdout
    assert found.strip() in charts.CJK_FONTS


@pytest.mark.skipif(charts.cjk_font() is None, reason="no CJK font on this machine (CI installs fonts-wqy-microhei)")
def test_chinese_channel_names_in_an_english_chart_are_drawn_not_boxes():
    curve = pd.DataFrame({"湖南卫视": np.linspace(5, 0, 10), "CCTV-2": np.linspace(4, 0, 10)},
                         index=pd.Index(np.arange(10) * 5.0, name="minute"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts.ad_response_chart(curve, lang="en")
    assert not [w for w in caught if "missing from font" in str(w.message)]

"""PNG charts (matplotlib, Agg): the forecast with its interval, coverage vs requirement, the ad response.

Interval charts put open intervals side by side and leave the closed night hours out, so a month reads as
a row of equal-width days; airings are marked where they start. Chinese labels need a CJK font: when the
machine has none, the chart falls back to English labels (with a warning) rather than drawing boxes.
"""
from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path
from typing import Iterable

import matplotlib

matplotlib.use("Agg")  # files only, never a window; set before pyplot is imported

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from shiftcast.exports.labels import DEFAULT_LANG, check_lang, label  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Arial Unicode MS")
SIZE = (14, 5)  # inches
DPI = 110
REQUIRED_COLOUR, STAFFED_COLOUR, AIRING_COLOUR, FORECAST_COLOUR = "#C00000", "#2F5597", "#ED7D31", "#2F5597"


def _known_cjk_font() -> str | None:
    for name in CJK_FONTS:
        try:
            font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        except ValueError:
            continue
        return name
    return None


@functools.cache
def cjk_font() -> str | None:
    """The first installed font that can draw Chinese, or None."""
    found = _known_cjk_font()
    if found is None:
        # matplotlib keeps its font list in a cache made the first time it ran: a font installed since
        # (apt-get install fonts-wqy-microhei) is only seen once the system's font files are added again.
        for path in font_manager.findSystemFonts():
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
                continue
        found = _known_cjk_font()
    return found


def chart_lang(lang: str) -> str:
    """`lang`, or 'en' when Chinese is asked for and no font can draw it."""
    if check_lang(lang) == "zh" and cjk_font() is None:
        warnings.warn("no Chinese font installed (e.g. fonts-noto-cjk); charts use English labels", stacklevel=3)
        return "en"
    return lang


def _figure(lang: str) -> tuple[Figure, plt.Axes]:
    fig = Figure(figsize=SIZE, dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    if lang == "zh":
        font = cjk_font()
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            text.set_fontfamily([font, "DejaVu Sans"])
    ax.grid(axis="y", color="#D9D9D9", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _png(fig: Figure, lang: str) -> bytes:
    font = cjk_font()
    if font is not None:
        # The user's own names (channels, products) may be Chinese in an English chart too: the CJK font is
        # the fallback there, so they do not come out as empty boxes.
        families = [font, "DejaVu Sans"] if lang == "zh" else ["DejaVu Sans", font]
        for text in fig.findobj(matplotlib.text.Text):
            text.set_fontfamily(families)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _day_axis(ax: plt.Axes, index: pd.DatetimeIndex) -> None:
    """Ticks at each day's first interval, labelled with the date; thin lines between days."""
    days = index.normalize()
    starts = np.flatnonzero(np.r_[True, days[1:] != days[:-1]])
    step = max(1, len(starts) // 31)
    ax.set_xticks(starts[::step], [f"{d:%m-%d}" for d in index[starts][::step]], rotation=90, fontsize=8)
    for s in starts[1:]:
        ax.axvline(s - 0.5, color="#EEEEEE", linewidth=0.5, zorder=0)
    ax.set_xlim(-0.5, len(index) - 0.5)


def airing_positions(index: pd.DatetimeIndex, airings: Iterable) -> np.ndarray:
    """Positions on the interval axis of the intervals where airings start (outside open hours: dropped)."""
    starts = pd.DatetimeIndex(pd.to_datetime(pd.Series(list(airings), dtype=object))) if airings is not None else None
    if starts is None or starts.empty or index.empty:
        return np.array([], dtype=int)
    pos = index.searchsorted(starts, side="right") - 1
    ok = pos >= 0
    step = pd.Timedelta(minutes=int(index.to_series().diff().min().total_seconds() // 60)) if len(index) > 1 else pd.Timedelta(minutes=15)
    ok[ok] = (starts[ok] - index[pos[ok]]) < step
    return np.unique(pos[ok])


def _mark_airings(ax: plt.Axes, positions: np.ndarray, lang: str) -> None:
    """Airings as a rug of short orange ticks along the bottom (a label in the legend once)."""
    if len(positions):
        ax.plot(positions, np.zeros(len(positions)), linestyle="none", marker="|", markersize=14,
                color=AIRING_COLOUR, markeredgewidth=1.2, label=label("airing", lang), clip_on=False, zorder=5)


def forecast_chart(forecast: pd.DataFrame, airings: pd.DataFrame | None = None, lang: str = DEFAULT_LANG) -> bytes:
    """PNG: forecast calls per interval with its prediction interval, the ad plan's airings marked.

    `forecast` is indexed by interval start with columns mean, lower, upper; `airings` an ad plan.
    """
    lang = chart_lang(lang)
    index = pd.DatetimeIndex(forecast.index)
    fig, ax = _figure(lang)
    x = np.arange(len(index))
    ax.fill_between(x, forecast["lower"].to_numpy(float), forecast["upper"].to_numpy(float), step="mid",
                    color=FORECAST_COLOUR, alpha=0.18, linewidth=0, label=label("prediction_interval", lang))
    ax.plot(x, forecast["mean"].to_numpy(float), drawstyle="steps-mid", color=FORECAST_COLOUR, linewidth=0.9,
            label=label("forecast", lang))
    starts = [] if airings is None else list(airings["start"])
    _mark_airings(ax, airing_positions(index, starts), lang)
    return _interval_chart_png(fig, ax, index, lang, "calls_per_interval", "chart_forecast")


def _interval_chart_png(fig: Figure, ax: plt.Axes, index: pd.DatetimeIndex, lang: str, ylabel: str,
                        title: str) -> bytes:
    """Day axis, a zero-based y axis with room for the legend above the data, labels; the PNG."""
    _day_axis(ax, index)
    top = ax.dataLim.y1 if np.isfinite(ax.dataLim.y1) else 1.0
    ax.set_ylim(0, max(1.0, top) * 1.18)
    ax.set_ylabel(label(ylabel, lang))
    span = f"  {index.min():%Y-%m-%d} – {index.max():%Y-%m-%d}" if len(index) else ""
    ax.set_title(label(title, lang) + span)
    ax.legend(loc="upper left", ncols=4, frameon=False)
    return _png(fig, lang)


def coverage_chart(coverage: pd.DataFrame, lang: str = DEFAULT_LANG) -> bytes:
    """PNG: agents staffed vs required per interval, shortfalls shaded red, airings marked."""
    lang = chart_lang(lang)
    index = pd.DatetimeIndex(coverage.index)
    fig, ax = _figure(lang)
    x = np.arange(len(index))
    required = coverage["required"].to_numpy(float)
    staffed = coverage["staffed"].to_numpy(float)
    ax.fill_between(x, staffed, required, where=staffed < required, step="mid", color=REQUIRED_COLOUR,
                    alpha=0.25, linewidth=0, label=label("short", lang))
    ax.plot(x, required, drawstyle="steps-mid", color=REQUIRED_COLOUR, linewidth=0.9, label=label("required", lang))
    ax.plot(x, staffed, drawstyle="steps-mid", color=STAFFED_COLOUR, linewidth=0.9, label=label("staffed", lang))
    airing = coverage["airing"].astype(bool).to_numpy() if "airing" in coverage else np.zeros(len(x), bool)
    _mark_airings(ax, np.flatnonzero(airing), lang)
    return _interval_chart_png(fig, ax, index, lang, "agents", "chart_coverage")


def ad_response_chart(curve: pd.DataFrame, lang: str = DEFAULT_LANG) -> bytes:
    """PNG: extra calls by minutes since an airing, one line per channel.

    `curve` is indexed by minutes since the airing, with a column per channel.
    """
    lang = chart_lang(lang)
    fig = Figure(figsize=(9, 5), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    ax.grid(color="#D9D9D9", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)
    minutes = np.asarray(curve.index, dtype=float)
    for channel in curve.columns:
        ax.plot(minutes, curve[channel].to_numpy(float), linewidth=1.6, label=str(channel))
    ax.axhline(0, color="#7F7F7F", linewidth=0.8)
    ax.set_xlim(left=min(0.0, minutes.min()) if len(minutes) else 0)
    ax.set_xlabel(label("minutes_since_airing", lang))
    ax.set_ylabel(label("extra_calls", lang))
    ax.set_title(label("chart_ad_response", lang))
    if len(curve.columns):
        ax.legend(frameon=False, title=None)
    return _png(fig, lang)


def write_png(path: str | Path, png: bytes) -> Path:
    path = Path(path)
    path.write_bytes(png)
    return path

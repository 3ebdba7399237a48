"""The public holidays the forecast gives an effect of their own, and the names a [[calendar]] entry may use
for them.

A holiday's effect is keyed by its English name in the `chinese_calendar` package; a rules entry names the
festival by its kind (`festival = "spring"`) or by any of its names, Chinese or English, so 春节 and
"Spring Festival" are one festival with one effect.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Festival:
    """One festival: its kind (the rules' `festival` value), the model's name for it, and its other names."""

    kind: str
    name: str  # as chinese_calendar names it; the forecast's effect is keyed by it
    aliases: tuple[str, ...]


FESTIVALS = (
    Festival("new_year", "New Year's Day", ("元旦", "New Year")),
    Festival("spring", "Spring Festival", ("春节", "农历新年", "Chinese New Year", "Lunar New Year")),
    Festival("tomb_sweeping", "Tomb-sweeping Day", ("清明", "清明节", "Qingming")),
    Festival("labour", "Labour Day", ("劳动节", "五一", "五一劳动节", "Labor Day", "May Day")),
    Festival("dragon_boat", "Dragon Boat Festival", ("端午", "端午节")),
    Festival("mid_autumn", "Mid-autumn Festival", ("中秋", "中秋节")),
    Festival("national", "National Day", ("国庆", "国庆节")),
)
FESTIVAL_KINDS = tuple(f.kind for f in FESTIVALS)


def _folded(text: str) -> str:
    """Case, spaces, hyphens, underscores and apostrophes do not tell festival names apart."""
    return re.sub(r"[\s\-_'’]+", "", text).casefold()


_BY_NAME = {_folded(n): f for f in FESTIVALS for n in (f.kind, f.name, *f.aliases)}


def festival_named(name: str) -> Festival | None:
    """The festival a name (its kind, or a Chinese or English name) stands for; None for other names."""
    return _BY_NAME.get(_folded(name))


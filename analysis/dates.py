"""Date parsing that never invents a date.

Rules (tested in ``tests/test_dates.py``):

* Only whole dates are accepted: an explicit list of formats is tried in order (manifest hints
  first), each with ``pandas.to_datetime(format=..., errors="coerce")``; nothing is guessed from a
  partial string, and ambiguous day/month orders follow the format list (US month-first for
  ``1/21/18``, as AllSides and US vendors write it).
* Times and time zones are kept when given and converted to naive UTC; date-only strings become
  midnight.
* A parsed date outside ``[MIN_YEAR, today + 1 year]`` (e.g. ``0001-11-30`` or ``2050-01-01``) is
  impossible: ``NaT`` plus a warning with the raw string.
* Empty or missing strings are ``NaT`` without a warning (the source simply has no date).
* The raw string always stays in ``date_raw``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

MIN_YEAR = 1900

DEFAULT_FORMATS: tuple[str, ...] = (
    "ISO8601",  # 2019-06-28, 2019-06-28T10:00:00Z, 2020-10-15 01:45:02.475591
    "%m/%d/%y",  # 1/21/18
    "%m/%d/%Y",  # 1/21/2018
    "%B %d, %Y",  # January 11, 2010
    "%b %d, %Y",  # Jan 11, 2010
    "%d %B %Y",  # 11 January 2010
    "%d %b %Y",  # 11 Jan 2010
    "%Y%m%dT%H%M%SZ",  # GDELT seendate 20240615T170000Z
)

# trailing weekday/time words on vendor date lines ("January 11, 2010 Monday 8:27 PM EST")
_WEEKDAY_RE = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b.*$", re.IGNORECASE
)


def _clean(s: str) -> str:
    s = s.replace("\u00a0", " ").strip()
    s = re.sub(r"\s+", " ", s)
    if re.match(r"^[A-Za-z]+ \d{1,2}, \d{4}", s):
        s = _WEEKDAY_RE.sub("", s).strip().rstrip(",")
    return s


def parse_dates(
    raw: Iterable[object], formats: Iterable[str] | None = None, max_date: date | None = None
) -> tuple[pd.Series, pd.Series]:
    """Parse raw date strings.

    Returns ``(dates, problem)``: ``dates`` is ``datetime64[ns]`` (``NaT`` when unknown) and
    ``problem`` holds, per row, ``""`` (fine or simply missing), ``"unparseable"`` or
    ``"impossible"``. ``formats`` are tried before the defaults (manifest ``date_formats`` hints).
    """
    raw_s = pd.Series(list(raw), dtype="object")
    text = raw_s.where(raw_s.notna(), "").astype(str).map(_clean)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    todo = text != ""
    fmts = list(formats or []) + [f for f in DEFAULT_FORMATS if f not in (formats or [])]
    impossible = pd.Series(False, index=text.index)
    upper = pd.Timestamp(max_date or date.today()) + pd.DateOffset(years=1)
    for fmt in fmts:
        if not todo.any():
            break
        sub = text[todo]
        parsed = pd.to_datetime(sub, format=fmt, errors="coerce", utc=True)
        if fmt == "ISO8601":
            # pandas' ISO parser rejects year 0001 as out of bounds: flag it impossible, not junk
            yr = sub.str.extract(r"^(\d{4})-\d{2}-\d{2}", expand=False)
            old = yr.notna() & (yr.fillna("9999").astype(int) < MIN_YEAR)
            impossible.loc[old[old].index] = True
            todo.loc[old[old].index] = False
            parsed = parsed.where(~old)
        ok = parsed.notna()
        if ok.any():
            vals = parsed[ok].dt.tz_convert(None).astype("datetime64[ns]")
            bad = (vals.dt.year < MIN_YEAR) | (vals > upper)
            impossible.loc[bad[bad].index] = True
            out.loc[vals[~bad].index] = vals[~bad]
            todo.loc[ok[ok].index] = False
    problem = pd.Series("", index=text.index, dtype="object")
    problem[impossible] = "impossible"
    problem[todo & ~impossible] = "unparseable"
    out[impossible] = pd.NaT
    return out.reset_index(drop=True), problem.reset_index(drop=True)


def year_or_nan(dates: pd.Series) -> pd.Series:
    """Year as a float (NaN for NaT), convenient for grouping."""
    return dates.dt.year.astype("float64").where(dates.notna(), np.nan)

"""One vocabulary for every option: ``by=`` groups, ``freq=`` time buckets, ``top=`` counts,
``date_from``/``date_to`` windows — checked and applied in one place.

Rules
-----
* **Date windows** are whole days, inclusive at both ends, everywhere: ``date_to="2022-03-01"`` keeps
  an article published 2022-03-01 14:00. Times in the bounds are ignored. Undated rows are left out
  when a bound is given.
* **Periods** are labelled by their first day: days, weeks starting on Monday (ISO weeks), months on
  the 1st. ``freq`` is ``"D"``, ``"W"`` or ``"M"``; as a ``by=`` group the same buckets are called
  ``"day"``, ``"week"``, ``"month"``.
* **by=** is one group name or a list of them (``by=["outlet", "month"]``).
* **where=** says which mentions an analysis counts: ``"body"`` (the article text; the default of
  every mention analysis), ``"title"`` (the headline: mentions with ``in_title``) or ``"all"``.
  Headlines are counted separately unless asked, so adding titles changes no body figure.

>>> import pandas as pd
>>> d = pd.Series(pd.to_datetime(["2022-03-01 14:00", "2022-03-02 00:00", None]))
>>> date_mask(d, date_to="2022-03-01").tolist()
[True, False, False]
>>> as_list(["outlet", "month"]), as_list("actor"), as_list(None)
(['outlet', 'month'], ['actor'], [])
"""
from __future__ import annotations

import functools
import warnings
from typing import Any, Callable, Sequence

import pandas as pd

__all__ = ["FREQS", "PERIOD_GROUPS", "WHERE", "check_freq", "period_start", "date_mask", "as_list", "check_top",
           "check_where", "where_mask", "renamed", "warn_renamed"]

#: freq code → pandas frequency of the period range
FREQS = {"D": "D", "W": "W-MON", "M": "MS"}
#: period names allowed in ``by=`` → freq code
PERIOD_GROUPS = {"day": "D", "week": "W", "month": "M"}


def check_freq(freq: str) -> str:
    """Canonical freq code (``"D"``, ``"W"``, ``"M"``; ``"week"``/``"MS"`` … accepted).

    >>> check_freq("week"), check_freq("MS")
    ('W', 'M')
    """
    f = PERIOD_GROUPS.get(str(freq).lower(), str(freq).upper()[:1])
    if f not in FREQS:
        raise ValueError(f"freq must be 'D', 'W' or 'M' (day, week, month), not {freq!r}")
    return f


def _naive(dates: Any) -> pd.Series:
    d = pd.Series(pd.to_datetime(dates, errors="coerce"))
    if getattr(d.dt, "tz", None) is not None:
        d = d.dt.tz_localize(None)
    return d


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str = "D") -> pd.Series:
    """The first day of each date's period: the day, the Monday of its ISO week, or the 1st of its month.

    >>> period_start(pd.Series(pd.to_datetime(["2022-12-31", "2023-01-01", "2023-01-02"])), "W").tolist()
    [Timestamp('2022-12-26 00:00:00'), Timestamp('2022-12-26 00:00:00'), Timestamp('2023-01-02 00:00:00')]
    >>> period_start(pd.Series(pd.to_datetime(["2024-02-29 23:59"])), "M").tolist()
    [Timestamp('2024-02-01 00:00:00')]
    """
    freq = check_freq(freq)
    d = _naive(dates).dt.normalize()
    if freq == "W":
        return d - pd.to_timedelta(d.dt.weekday, unit="D")
    if freq == "M":
        return d - pd.to_timedelta(d.dt.day - 1, unit="D")
    return d


def day_bounds(date_from: Any = None, date_to: Any = None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """``[lo, hi)`` timestamps of an inclusive whole-day window (``hi`` is the day after ``date_to``).

    >>> day_bounds("2022-03-01", "2022-03-01 08:00")
    (Timestamp('2022-03-01 00:00:00'), Timestamp('2022-03-02 00:00:00'))
    """
    lo = pd.Timestamp(date_from).normalize() if date_from is not None else None
    hi = pd.Timestamp(date_to).normalize() + pd.Timedelta(days=1) if date_to is not None else None
    if lo is not None and lo.tzinfo is not None:
        lo = lo.tz_localize(None)
    if hi is not None and hi.tzinfo is not None:
        hi = hi.tz_localize(None)
    if lo is not None and hi is not None and hi <= lo:
        raise ValueError(f"date_to {date_to!r} is before date_from {date_from!r}")
    return lo, hi


def date_mask(dates: Any, *, date_from: Any = None, date_to: Any = None) -> pd.Series:
    """Boolean mask of the dates inside the whole-day, inclusive window (the one rule of newskit).

    >>> d = pd.Series(pd.to_datetime(["2022-02-28 23:59", "2022-03-01 00:00", "2022-03-03 18:00"]))
    >>> date_mask(d, date_from="2022-03-01", date_to="2022-03-03").tolist()
    [False, True, True]
    """
    d = _naive(dates)
    keep = pd.Series(True, index=d.index)
    if date_from is None and date_to is None:
        return keep
    lo, hi = day_bounds(date_from, date_to)
    if lo is not None:
        keep &= d >= lo
    if hi is not None:
        keep &= d < hi
    return keep & d.notna()


#: values of ``where=``: which mentions an analysis counts
WHERE = ("body", "title", "all")


def check_where(where: str) -> str:
    """``where=`` checked: ``"body"``, ``"title"`` or ``"all"``.

    >>> check_where("title")
    'title'
    >>> check_where("headline")
    Traceback (most recent call last):
    ...
    ValueError: where must be 'body', 'title' or 'all' (which mentions to count), not 'headline'
    """
    if where not in WHERE:
        raise ValueError(f"where must be 'body', 'title' or 'all' (which mentions to count), not {where!r}")
    return where


def where_mask(table: pd.DataFrame, where: str = "body") -> pd.Series:
    """Rows of a mentions or sentences table that ``where=`` selects, by their ``in_title`` column (a
    table without it — annotated before titles were — is all body).

    >>> m = pd.DataFrame({"actor": ["A", "B", "C"], "in_title": [True, False, False]})
    >>> where_mask(m).tolist(), where_mask(m, "title").tolist(), where_mask(m, "all").tolist()
    ([False, True, True], [True, False, False], [True, True, True])
    """
    where = check_where(where)
    if where == "all":
        return pd.Series(True, index=table.index)
    title = (table["in_title"].fillna(False).astype(bool) if "in_title" in table.columns
             else pd.Series(False, index=table.index))
    return title if where == "title" else ~title


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """``by=`` as a list of group names."""
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    out = list(by)
    if not all(isinstance(b, str) for b in out):
        raise TypeError(f"by= takes a column name or a list of them, not {by!r}")
    return out


def check_top(top: int | None, name: str = "top") -> int | None:
    """``top=`` must be None or a positive whole number.

    >>> check_top(5)
    5
    """
    if top is None:
        return None
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"{name} must be a positive whole number or None, not {top!r}")
    return top


def warn_renamed(old: str, new: str, *, stacklevel: int = 3) -> None:
    warnings.warn(f"'{old}=' is deprecated and will be removed in the next release; use '{new}='",
                  DeprecationWarning, stacklevel=stacklevel)


def renamed(**mapping: str) -> Callable:
    """Decorator keeping old keyword names working for one release with a ``DeprecationWarning``.

    >>> @renamed(limit="top")
    ... def f(*, top=None):
    ...     return top
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     f(limit=3), w[0].category.__name__
    (3, 'DeprecationWarning')
    """
    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            for old, new in mapping.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{fn.__name__}() got both '{old}=' (deprecated) and '{new}='")
                    warn_renamed(old, new)
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)
        return wrapper
    return deco

"""Shared table helpers of the analyses: the mention table with article columns, and ``by=`` groups.

>>> import pandas as pd
>>> m = pd.DataFrame({"article_id": ["a", "b"], "actor": ["X", "X"]})
>>> arts = pd.DataFrame({"article_id": ["a", "b"], "date": pd.to_datetime(["2022-03-02", "2022-04-09"]),
...                      "outlet": ["O1", "O2"]})
>>> add_groups(with_articles(m, arts, ["date", "outlet"]), ["outlet", "month"])[["outlet", "month"]]
  outlet      month
0     O1 2022-03-01
1     O2 2022-04-01
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import pandas as pd

from newskit._options import PERIOD_GROUPS, as_list, period_start
from newskit.annotations import ARTICLE_COLUMNS, with_articles

__all__ = ["with_articles", "mention_table", "add_groups", "canonical_actors", "articles_of", "ARTICLE_COLUMNS"]

def articles_of(ann: Any) -> pd.DataFrame | None:
    """The articles table of an Annotations-like object (None for a plain table)."""
    return None if isinstance(ann, pd.DataFrame) else getattr(ann, "articles", None)


def mention_table(ann: Any, *, need: Sequence[str] = ("actor",)) -> pd.DataFrame:
    """Mentions (of an Annotations, or a mentions DataFrame) with article date/source/outlet/title."""
    if isinstance(ann, pd.DataFrame):
        m = ann.copy()
    else:
        m = with_articles(ann.mentions, articles_of(ann))
    for c in need:
        if c not in m.columns:
            hint = " (run annotate() or Annotations.resolve())" if c == "actor" else ""
            raise ValueError(f"mentions have no {c!r} column{hint}")
    return m


def canonical_actors(ann: Any, names: str | Sequence[str] | None, *, m: pd.DataFrame | None = None
                     ) -> list[str] | None:
    """User-given actor names → canonical actors through the one alias lookup of newskit
    (:func:`newskit.actors.lookup_actors`: names, surface forms, spellings, actor-file aliases); an
    unknown name raises ``UnknownActorError`` listing the closest names — never an empty table."""
    if names is None:
        return None
    from newskit.actors import lookup_actors

    known = m if m is not None else (ann if isinstance(ann, pd.DataFrame) else getattr(ann, "mentions", ann))
    if isinstance(known, pd.DataFrame) and "text" not in known.columns:  # a bare table: its actor names
        known = sorted(known["actor"].dropna().astype(str).unique()) if "actor" in known.columns else []
    actor_file = None if isinstance(ann, pd.DataFrame) else (getattr(ann, "meta", None) or {}).get("actor_file")
    return lookup_actors([names] if isinstance(names, str) else list(names), known, actor_file=actor_file)


def add_groups(df: pd.DataFrame, by: str | Sequence[str] | None, *, what: str = "mentions") -> pd.DataFrame:
    """Add period columns for ``by`` entries ``day``/``week``/``month`` (from ``date``) and drop rows whose
    group is missing, with a warning that counts them (never silently)."""
    out = df
    for b in as_list(by):
        if b in PERIOD_GROUPS:
            if "date" not in out.columns:
                raise ValueError(f"by={b!r} needs article dates: pass Annotations or a table with 'date'")
            per = period_start(out["date"], PERIOD_GROUPS[b])
            per.index = out.index
            out = out.assign(**{b: per})
        elif b not in out.columns:
            raise ValueError(f"by={b!r}: no such column; use one of {sorted(set(out.columns) | set(PERIOD_GROUPS))}")
        bad = out[b].isna()
        if bad.any():
            why = "no date" if b in PERIOD_GROUPS else f"no {b!r}"
            warnings.warn(f"{int(bad.sum())} of {len(out)} {what} have {why} and are left out of by={b!r}",
                          stacklevel=3)
            out = out[~bad]
    return out

"""Choices a report makes for its figures: the default place of the event timeline."""
from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["default_place"]


def _country_places(m: pd.DataFrame) -> set[str]:
    """Place actors that are countries or nations: named by a demonym somewhere ("Vostrian",
    "Ukrainians": spaCy's NORP label) or listed in :data:`newskit.actors.DEMONYMS`."""
    found: set[str] = set()
    if "label" in m.columns:
        found |= set(m.loc[m["label"] == "NORP", "actor"].dropna().astype(str))
    try:
        from newskit.actors import DEMONYMS

        found |= {country for country, _ in DEMONYMS.values()}
    except ImportError:  # pragma: no cover - the actors module moved
        pass
    return found


def default_place(ann: Any, *, skip_countries: bool = True, skip_top: int = 2) -> str | None:
    """The place an event-timeline figure follows by default.

    Rule: leave out the countries and nations — places named by a demonym somewhere in the corpus
    ("Vostrian", "Ukrainians") or in newskit's demonym list — because "Ukraine" or "Russia" tells
    little about *when* things happened where; when that leaves no place, leave out the ``skip_top``
    most-mentioned places instead. Among the rest take the place named in the most sentences with a
    day-level event date; ties, or no dated sentence at all, go to the most-mentioned.

    Parameters
    ----------
    ann : Annotations
        ``mentions`` (``actor``, ``actor_type``, ``label``, ``article_id``, ``sent_id``) and
        ``dates`` (``article_id``, ``sent_id``, ``granularity``) when present.
    skip_countries : bool
        Leave out countries and nations (see above).
    skip_top : int
        Most-mentioned places left out when no place is left after leaving out the countries.

    Returns
    -------
    str or None
        None when the corpus names no place.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> m = pd.DataFrame({"actor": ["Vostria"] * 5 + ["Dravenia"] * 4 + ["Gradensk"] * 2 + ["Kirnovo"] * 3,
    ...                   "label": ["NORP"] + ["GPE"] * 13,
    ...                   "actor_type": ["place"] * 14, "article_id": ["a"] * 14, "sent_id": list(range(14))})
    >>> d = pd.DataFrame({"article_id": ["a", "a"], "sent_id": [9, 10], "granularity": ["day", "day"]})
    >>> default_place(SimpleNamespace(mentions=m, dates=d))
    'Gradensk'
    >>> default_place(SimpleNamespace(mentions=m, dates=d.iloc[:0]))   # Vostria is a nation ("Vostrian")
    'Dravenia'
    """
    m = ann.mentions
    if "actor" not in m.columns or "actor_type" not in m.columns:
        return None
    places = m[(m["actor_type"] == "place") & m["actor"].notna()]
    if len(places) == 0:
        return None
    counts = places["actor"].astype(str).value_counts().rename("mentions").rename_axis("actor").reset_index()
    counts = counts.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable")
    rest = counts
    if skip_countries:
        countries = _country_places(m[m["actor"].isin(counts["actor"])])
        rest = counts[~counts["actor"].isin(countries)]
    if len(rest) == 0:
        rest = counts.iloc[skip_top:] if len(counts) > skip_top else counts
    dates = getattr(ann, "dates", None)
    dated = pd.Series(0, index=rest["actor"])
    if dates is not None and len(dates) and {"article_id", "sent_id"} <= set(dates.columns):
        d = dates[dates["granularity"] == "day"] if "granularity" in dates.columns else dates
        keys = d[["article_id", "sent_id"]].astype({"article_id": str}).drop_duplicates()
        p = places[["actor", "article_id", "sent_id"]].astype({"article_id": str, "actor": str}).drop_duplicates()
        hit = p.merge(keys, on=["article_id", "sent_id"], how="inner")
        dated = hit["actor"].value_counts().reindex(rest["actor"], fill_value=0)
    rest = rest.assign(dated=dated.to_numpy())
    best = rest.sort_values(["dated", "mentions", "actor"], ascending=[False, False, True], kind="stable")
    return str(best["actor"].iloc[0])

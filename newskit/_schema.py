"""Table schemas of the data model: one place that says which columns each table has.

Every table is keyed by ``article_id`` and, below the article, by character offsets into a text of the
article: its ``text`` (``text[start:end]`` is the span's text), or — for the rows of ``sentences`` and
``mentions`` with ``in_title`` True — its ``title`` (``title[start:end]``; those sentences have
``sent_id`` −n … −1, the text's 0, 1 …). Quotes and event dates are found in the text only.

>>> empty("mentions").columns.tolist()[:6]
['article_id', 'sent_id', 'start', 'end', 'text', 'label']
>>> check(empty("dates"), "dates") is None
True
"""
from __future__ import annotations

from typing import Mapping

import pandas as pd

__all__ = ["SCHEMAS", "REQUIRED", "empty", "check", "columns", "SchemaError"]

#: table → {column: dtype}; the first columns of each table, in order (steps may add more)
SCHEMAS: dict[str, dict[str, str]] = {
    "articles": {"article_id": "object", "title": "object", "date": "datetime64[ns]", "url": "object",
                 "source": "object", "outlet": "object", "text": "object"},
    "sentences": {"article_id": "object", "sent_id": "int64", "start": "int64", "end": "int64",
                  "text": "object"},
    "mentions": {"article_id": "object", "sent_id": "int64", "start": "int64", "end": "int64",
                 "text": "object", "label": "object"},
    "dates": {"article_id": "object", "sent_id": "int64", "start": "int64", "end": "int64",
              "text": "object", "date": "datetime64[ns]", "granularity": "object"},
    # newskit.quotes.QUOTE_COLUMNS (+ actor, actor_type once speakers are resolved)
    "quotes": {"article_id": "object", "quote_id": "int64", "statement_id": "int64", "start": "int64",
               "end": "int64", "speaker_start": "int64", "speaker_end": "int64", "speaker": "object",
               "cue": "object", "kind": "object", "cue_start": "int64", "cue_end": "int64",
               "resolved_start": "int64", "resolved_end": "int64", "resolved": "object",
               "speaker_label": "object"},
}
#: columns a table must have to be used (the rest of its schema is optional)
REQUIRED: dict[str, tuple[str, ...]] = {
    "articles": ("article_id",),
    "sentences": ("article_id", "sent_id", "start", "end", "text"),
    "mentions": ("article_id", "sent_id", "start", "end", "text", "label"),
    "dates": ("article_id", "sent_id", "start", "end", "text", "date", "granularity"),
    "quotes": ("article_id", "quote_id", "start", "end", "speaker_start", "speaker_end", "speaker", "cue", "kind"),
}
#: dtypes of columns added by pipeline steps (used by :func:`empty` with ``extra``)
EXTRA_DTYPES: dict[str, str] = {"compound": "float64", "pos": "float64", "neg": "float64", "neu": "float64",
                                "score": "float64", "sentiment": "object", "actor": "object",
                                "actor_type": "object", "in_quote_of": "int64", "is_speaker": "bool",
                                "in_title": "bool"}


class SchemaError(ValueError):
    """A table lacks a required column or has one of the wrong kind."""


def columns(name: str) -> list[str]:
    """The schema's columns of table ``name``."""
    try:
        return list(SCHEMAS[name])
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {sorted(SCHEMAS)}") from None


def empty(name: str, *, extra: Mapping[str, str] | list[str] | tuple[str, ...] = ()) -> pd.DataFrame:
    """An empty table of ``name`` with the right dtypes (plus ``extra`` columns).

    >>> empty("sentences", extra=["compound"]).dtypes.astype(str).tolist()
    ['object', 'int64', 'int64', 'int64', 'object', 'float64']
    """
    cols = dict(SCHEMAS[name]) if name != "articles" else {c: SCHEMAS[name][c] for c in REQUIRED[name]}
    if isinstance(extra, Mapping):
        cols.update(extra)
    else:
        cols.update({c: EXTRA_DTYPES.get(c, "object") for c in extra})
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in cols.items()})


def check(df: pd.DataFrame, name: str) -> None:
    """Raise :class:`SchemaError` when ``df`` lacks a required column of table ``name`` or an offset
    column is not integer.

    >>> check(pd.DataFrame({"article_id": ["a"]}), "mentions")
    Traceback (most recent call last):
    ...
    newskit._schema.SchemaError: mentions table lacks column(s) ['end', 'label', 'sent_id', 'start', 'text']
    """
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{name} must be a pandas DataFrame, not {type(df).__name__}")
    missing = sorted(set(REQUIRED[name]) - set(df.columns))
    if missing:
        raise SchemaError(f"{name} table lacks column(s) {missing}")
    for c in ("sent_id", "start", "end"):
        if c in df.columns and c in SCHEMAS[name] and len(df) and not pd.api.types.is_integer_dtype(df[c]):
            raise SchemaError(f"{name}.{c} must be integer, not {df[c].dtype}")

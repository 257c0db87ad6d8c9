"""Phrase and dictionary actors: ``patterns:`` of actor-file entries matched in the text directly.

Case-insensitive phrases of all entries are compiled into one alternation (longest first, word
boundaries, any whitespace between words); ``re:`` expressions, token patterns and case-sensitive
phrases are matched one by one with the time limit of the actor file. Overlapping matches keep the
leftmost, then the longest.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Sequence

import pandas as pd

from newskit.actors.actor_file import REGEX_TIMEOUT, ActorFileError, ActorSpec, actor_specs

MATCH_COLUMNS = ["start", "end", "text", "actor"]


class PatternMatcher:
    """Compiled ``patterns:`` of a list of actor-file entries (see :func:`match_patterns`)."""

    def __init__(self, specs: Sequence[ActorSpec]):
        import regex

        self.specs = [s for s in specs if s.patterns]
        self.phrase_actor: dict[str, str] = {}
        self.others: list[tuple[Any, ActorSpec, str]] = []
        for s in self.specs:
            for p in s.patterns:
                if p.kind == "phrase" and p.literal is not None:
                    self.phrase_actor.setdefault(p.literal, s.name)
                else:
                    self.others.append((p.regex, s, p.source))
        self.phrases = None
        if self.phrase_actor:
            alts = sorted(self.phrase_actor, key=len, reverse=True)
            body = "|".join(r"\s+".join(regex.escape(w) for w in a.split()) for a in alts)
            self.phrases = regex.compile(r"(?<!\w)(?:" + body + r")(?!\w)", regex.IGNORECASE | regex.V0)
        self._ws = regex.compile(r"\s+")

    def __bool__(self) -> bool:
        return bool(self.specs)

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        if not self.specs or not isinstance(text, str) or not text:
            return []
        hits: list[tuple[int, int, str]] = []
        if self.phrases is not None:
            for m in self.phrases.finditer(text, timeout=max(REGEX_TIMEOUT, len(text) / 2e5)):
                key = self._ws.sub(" ", m.group()).casefold()
                hits.append((m.start(), m.end(), self.phrase_actor[key]))
        for rx, spec, src in self.others:
            try:
                for m in rx.finditer(text, timeout=max(REGEX_TIMEOUT, len(text) / 2e5)):
                    s, e = m.span()
                    while e > s and text[e - 1].isspace():
                        e -= 1
                    if e > s:
                        hits.append((s, e, spec.name))
            except TimeoutError:
                raise ActorFileError(f"{spec.source}: pattern {src[:60]!r} of {spec.name!r} took too long on a "
                                     f"text of {len(text):,} characters; simplify it") from None
        if not hits:
            return []
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        out, last = [], -1
        for s, e, a in hits:
            if s >= last:
                out.append((s, e, text[s:e], a))
                last = e
        return out


@lru_cache(maxsize=16)
def _matcher_for(key: tuple) -> PatternMatcher:
    return PatternMatcher(actor_specs(list(key) if key else None))


def compile_patterns(patterns: Any = None) -> PatternMatcher:
    """A :class:`PatternMatcher` from an actor file path (or list of paths, or None: the starter file),
    a list of :class:`ActorSpec`, or an existing matcher."""
    if isinstance(patterns, PatternMatcher):
        return patterns
    if patterns is None or isinstance(patterns, (str, os.PathLike)):
        key = () if patterns is None else (str(patterns),)
        return _matcher_for(key)
    items = list(patterns)
    if all(isinstance(p, ActorSpec) for p in items):
        return PatternMatcher(items)
    return _matcher_for(tuple(str(p) for p in items))


def match_patterns(text: str, patterns: Any = None) -> pd.DataFrame:
    """Occurrences of the actor files' text patterns in one text (the pipeline calls it per article).

    Parameters
    ----------
    text : str
        An article text (or a title).
    patterns : PatternMatcher, actor file path(s), list of ActorSpec, or None
        None: the starter file's patterns. Compile once with :func:`compile_patterns` for many texts.

    Returns
    -------
    DataFrame
        ``start, end, text, actor`` with ``text[start:end] == text`` column; mentions of these rows get
        label ``TERM`` and resolve to their entry (type ``term`` unless the entry says otherwise).

    Examples
    --------
    >>> match_patterns("Officials spoke of a Special  Military Operation, not a war.")
       start  end                         text                       actor
    0     21   48  Special  Military Operation  special military operation
    """
    rows = compile_patterns(patterns).find(text)
    df = pd.DataFrame(rows, columns=MATCH_COLUMNS)
    return df.astype({"start": "int64", "end": "int64", "text": object, "actor": object})


def pattern_mentions(articles: pd.DataFrame, patterns: Any = None, *, sentences: pd.DataFrame | None = None,
                     column: str = "text") -> pd.DataFrame:
    """:func:`match_patterns` over an articles table, as mention rows (label ``TERM``).

    Parameters
    ----------
    articles : DataFrame
        ``article_id`` and ``text``.
    patterns : see :func:`match_patterns`
    sentences : DataFrame, optional
        ``article_id, sent_id, start, end``: each match gets the ``sent_id`` of the sentence holding its
        start (-1 when none does).

    Returns
    -------
    DataFrame
        ``article_id, sent_id, start, end, text, label, actor``.

    Examples
    --------
    >>> a = pd.DataFrame({"article_id": ["x"], "text": ["They call it denazification. Nobody else does."]})
    >>> pattern_mentions(a)[["article_id", "start", "end", "text", "label"]]
      article_id  start  end             text label
    0          x     13   27  denazification  TERM
    """
    import numpy as np

    m = compile_patterns(patterns)
    cols: dict[str, list] = {c: [] for c in ("article_id", "start", "end", "text", "actor")}
    if m:
        for aid, text in zip(articles["article_id"], articles[column]):
            for s, e, t, a in m.find(text):
                cols["article_id"].append(aid)
                cols["start"].append(s)
                cols["end"].append(e)
                cols["text"].append(t)
                cols["actor"].append(a)
    out = pd.DataFrame(cols).astype({"start": "int64", "end": "int64", "article_id": object,
                                     "text": object, "actor": object})
    sid = np.full(len(out), -1, dtype="int64")
    if sentences is not None and len(out) and len(sentences):
        for aid, idx in out.groupby("article_id").groups.items():
            s = sentences[sentences["article_id"] == aid].sort_values("start")
            if not len(s):
                continue
            starts = s["start"].to_numpy()
            ends = s["end"].to_numpy()
            pos = out.loc[idx, "start"].to_numpy()
            k = np.searchsorted(starts, pos, side="right") - 1
            ok = (k >= 0) & (pos < ends[np.clip(k, 0, None)])
            sid[out.index.get_indexer(idx)] = np.where(ok, s["sent_id"].to_numpy()[np.clip(k, 0, None)], -1)
    out.insert(1, "sent_id", sid)
    out.insert(5, "label", "TERM")
    return out


def add_pattern_mentions(mentions: pd.DataFrame, terms: pd.DataFrame) -> pd.DataFrame:
    """NER mentions plus :func:`pattern_mentions` rows; an NER mention with exactly a term's span is
    replaced by the term (a span is counted once), overlapping ones are kept (both are counted)."""
    if not len(terms):
        return mentions
    key = set(zip(terms["article_id"], terms["start"], terms["end"]))
    keep = [k not in key for k in zip(mentions["article_id"], mentions["start"], mentions["end"])]
    terms = terms.drop(columns=[c for c in ("actor",) if c in terms and c not in mentions])
    out = pd.concat([mentions[keep], terms], ignore_index=True)
    return out.sort_values(["article_id", "start", "end"], kind="stable").reset_index(drop=True)

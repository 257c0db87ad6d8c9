"""One name lookup for every analysis that takes actor names."""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from newskit.actors.normalise import normalise_surface
from newskit.actors.resolve import REJECT_REASONS, resolve_surface_forms


class UnknownActorError(KeyError, ValueError):
    """An actor name that is neither an actor nor a surface form of one; the message lists the closest."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


#: column of a mentions table that stands for that many mentions each (the distinct surface forms of a
#: parts folder with their counts: the alias table is that of the mentions, without one row per mention)
WEIGHT = "_n_mentions"


def _alias_table(known: Any) -> tuple[list[str], dict[str, str], Any]:
    """(actor names, alias → actor, mentions table or None) from Annotations / mentions / mapping / list."""
    mentions = None
    if hasattr(known, "mentions") and isinstance(getattr(known, "mentions"), pd.DataFrame):
        mentions = known.mentions
    elif isinstance(known, pd.DataFrame):
        mentions = known
    if mentions is not None:
        if "actor" not in mentions:
            raise ValueError("lookup_actors: the mentions table has no 'actor' column (resolve it first)")
        m = mentions.dropna(subset=["actor"])
        actors = list(pd.unique(m["actor"]))
        aliases: dict[str, str] = {}
        if len(m):
            if WEIGHT in m.columns:  # one row per distinct (text, actor) with its count (a parts folder)
                counts = m.groupby(["text", "actor"], sort=False)[WEIGHT].sum().reset_index(name="n")
            else:
                counts = m.groupby(["text", "actor"], sort=False).size().reset_index(name="n")
            counts = counts.sort_values("n", ascending=False).drop_duplicates("text")
            for t, a in zip(counts["text"], counts["actor"]):
                aliases.setdefault(t.casefold(), a)
                aliases.setdefault(normalise_surface(t).casefold(), a)
        return actors, aliases, mentions
    if isinstance(known, Mapping):
        actors = list(dict.fromkeys(known.values()))
        aliases = {str(k).casefold(): v for k, v in known.items()}
        return actors, aliases, None
    actors = list(dict.fromkeys(known))
    return actors, {}, None


def _match_one(name: str, mentions: pd.DataFrame, *, actor_file=None) -> str | None:
    actors, aliases, _ = _alias_table(mentions)
    return _resolve_name(name, actors, aliases, actor_file=actor_file)


def _resolve_name(name: str, actors: Sequence[str], aliases: Mapping[str, str], *, actor_file=None) -> str | None:
    low = name.casefold().strip()
    by_low = {a.casefold(): a for a in actors}
    if low in by_low:
        return by_low[low]
    if low in aliases:
        return aliases[low]
    norm = normalise_surface(name).casefold()
    if norm in by_low:
        return by_low[norm]
    if norm in aliases:
        return aliases[norm]
    res = resolve_surface_forms(pd.DataFrame({"text": [name], "label": ["PERSON"], "n": [1]}),
                                actor_file=actor_file)
    cand = res["actor"].iloc[0]
    if cand is not None and cand.casefold() in by_low:
        return by_low[cand.casefold()]
    return None


def lookup_actors(names: str | Iterable[str], known: Any, *, actor_file=None) -> list[str]:
    """Canonical actor names for user-given names, through the same alias mapping as ``kwic``.

    Parameters
    ----------
    names : str or iterable of str
        Actor names, surface forms ("Zelenskyy", "Kiev") or aliases of the actor files.
    known : Annotations, DataFrame, mapping or list
        The known actors: an ``Annotations`` or a resolved mentions table (actors and every surface form
        merged into them), a mapping alias → actor, or a list of actor names.
    actor_file : path or list of paths, optional
        Actor file(s) whose aliases are tried too.

    Returns
    -------
    list of str
        One canonical name per input name, in order (duplicates kept once).

    Raises
    ------
    UnknownActorError
        (a ``KeyError`` and a ``ValueError``) for a name that is none of these, listing the closest
        known names — an analysis never returns an empty table or zeros for a misspelt name.

    Examples
    --------
    >>> m = pd.DataFrame({"text": ["Zelenskyy", "Kiev", "Kyiv"], "label": ["PERSON", "GPE", "GPE"],
    ...                   "actor": ["Volodymyr Zelensky", "Kyiv", "Kyiv"]})
    >>> lookup_actors(["zelenskyy", "Kiev", "Kyiv"], m)
    ['Volodymyr Zelensky', 'Kyiv']
    >>> lookup_actors("Kyyiv", m)           # a spelling variant (transliteration rule)
    ['Kyiv']
    >>> lookup_actors("Zelenskyj Volodymir", m)
    Traceback (most recent call last):
    ...
    newskit.actors.lookup.UnknownActorError: unknown actor 'Zelenskyj Volodymir'; closest: zelenskyy (→ Volodymyr Zelensky)
    """
    if isinstance(names, str):
        names = [names]
    actors, aliases, _ = _alias_table(known)
    out: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"actor names must be strings, not {type(name).__name__} ({name!r})")
        hit = _resolve_name(name, actors, aliases, actor_file=actor_file)
        if hit is None:
            raise UnknownActorError(f"unknown actor {name!r}; " + _closest(name, actors, aliases))
        if hit not in out:
            out.append(hit)
    return out


def _closest(name: str, actors: Sequence[str], aliases: Mapping[str, str]) -> str:
    pool: dict[str, str] = {a.casefold(): a for a in actors}
    for k, a in aliases.items():
        pool.setdefault(k, k if k != a.casefold() else a)
    keys = list(pool)
    best = difflib.get_close_matches(name.casefold(), keys, n=5, cutoff=0.6)
    if not best:
        low = name.casefold()
        best = [k for k in keys if low in k or k in low][:5]
    if not best:
        return f"no close match among {len(actors)} actors"
    shown = []
    for k in best:
        label = pool[k]
        if label.casefold() == k and label in actors:
            text = label
        else:
            orig = next((a for a in actors if a.casefold() == k), None)
            text = orig or next((t for t in (k,)), k)
            if k in aliases and aliases[k].casefold() != k:
                text = f"{k} (→ {aliases[k]})"
        if text not in shown:
            shown.append(text)
    return "closest: " + ", ".join(shown)


def explain_actor(ann: Any, name: str) -> pd.DataFrame:
    """Surface forms merged into an actor, with spaCy label and count — or why a name is not an actor.

    Parameters
    ----------
    ann : Annotations
    name : str
        Canonical actor name, or any surface form / alias of it (case-insensitive).

    Returns
    -------
    DataFrame
        ``actor``, ``text`` (surface form), ``label``, ``count``, ``reason`` (None for merged forms),
        sorted by count. A name that resolution rejected ("State", "Head of State") gives rows with
        ``actor`` None and the reason (count from the rejects table of ``ann`` when it has one).
        An unknown name gives an empty table.

    Examples
    --------
    >>> from newskit.annotations import Annotations
    >>> from newskit.actors import resolve_actors
    >>> m = resolve_actors(pd.DataFrame({"article_id": "a", "sent_id": 0, "start": [0, 5, 10], "end": [4, 9, 14],
    ...                                  "text": ["Kiev", "Kyiv", "Kyiv"], "label": "GPE"}))
    >>> ann = Annotations(articles=pd.DataFrame({"article_id": ["a"], "text": [""]}), mentions=m)
    >>> explain_actor(ann, "kiev")
      actor  text label  count reason
    0  Kyiv  Kyiv   GPE      2   None
    1  Kyiv  Kiev   GPE      1   None
    >>> explain_actor(ann, "Head of State")[["actor", "text", "reason"]]
      actor           text                                             reason
    0  None  Head of State  generic phrase: not an actor unless an actor f...
    """
    m = ann.mentions
    empty = pd.DataFrame({"actor": pd.Series(dtype=object), "text": pd.Series(dtype=object),
                          "label": pd.Series(dtype=object), "count": pd.Series(dtype="int64"),
                          "reason": pd.Series(dtype=object)})
    actor_file = (getattr(ann, "meta", None) or {}).get("actor_file")
    target = _match_one(name, m, actor_file=actor_file) if len(m) else None
    if target is None:
        res = resolve_surface_forms(pd.DataFrame({"text": [name], "label": ["ORG"], "n": [1]}),
                                    actor_file=actor_file)
        rule = res["rule"].iloc[0]
        if res["actor"].iloc[0] is None and rule in REJECT_REASONS and rule != "non-entity" or \
                res["actor"].iloc[0] is None and rule == "non-entity":
            rej = getattr(ann, "actor_rejects", None)
            rows = None
            if isinstance(rej, pd.DataFrame) and len(rej):
                hit = rej[rej["text"].map(lambda t: normalise_surface(t).casefold())
                          == normalise_surface(name).casefold()]
                if len(hit):
                    rows = pd.DataFrame({"actor": None, "text": hit["text"], "label": hit["label"],
                                         "count": hit["n"].astype("int64"), "reason": hit["reason"]})
            if rows is None:
                rows = pd.DataFrame({"actor": [None], "text": [name], "label": [None], "count": [0],
                                     "reason": [REJECT_REASONS[rule]]})
            return rows.astype({"actor": object}).reset_index(drop=True)
        return empty
    sub = m[m["actor"] == target]
    out = sub.groupby(["text", "label"]).size().rename("count").reset_index()
    out.insert(0, "actor", target)
    out["reason"] = None
    return out.sort_values(["count", "text"], ascending=[False, True]).reset_index(drop=True)

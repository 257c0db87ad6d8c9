"""One name lookup for every analysis that takes actor names."""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

from newskit.actors.normalise import normalise_surface


class UnknownActorError(KeyError, ValueError):
    """An actor name that is neither an actor nor a surface form of one; the message lists the closest."""

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0]) if self.args else ""


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
    from newskit.actors.resolve import resolve_surface_forms

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

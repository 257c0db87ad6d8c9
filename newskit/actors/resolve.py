"""Actor resolution of a mentions table: surface forms → canonical actors (rules in :mod:`.rules`).

Runs on the assembled mentions table every time (cheap: the form-level work is done once per distinct
surface form; only ambiguous short forms are looked at per mention).
"""
from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from newskit.actors.actor_file import STARTER_FILE, actor_files, actor_specs, source_countries
from newskit.actors.normalise import normalise_surface
import newskit.actors.rules as R

#: Rules whose decision is "not an actor" (the reason shown in rejects tables).
REJECT_REASONS = {
    "non-entity": "not a name (pronoun, number, date, lower-case phrase or single letter)",
    "generic phrase": "generic phrase: not an actor unless an actor file declares it",
    "bare title": "a title without a name: not an actor unless an actor file declares it",
    "truncated span": "truncated name (ends in a function word): not an actor unless an actor file declares it",
}


def resolve_surface_forms(forms: pd.DataFrame, *, actor_file=None, keep_groups: bool = False) -> pd.DataFrame:
    """Resolve distinct surface forms with the rules of :mod:`newskit.actors.rules`.

    Parameters
    ----------
    forms : DataFrame
        ``text``, ``label``, ``n`` (mention count of that text with that label), optionally
        ``place_cue`` (how many of those mentions sit in a place context, see
        :func:`newskit.actors.repair_spans`).
    actor_file : path or list of paths, optional
        User actor file(s); the starter file is always read.
    keep_groups : bool
        Keep demonym groups as their own actors.

    Returns
    -------
    DataFrame
        One row per input ``text``: ``text``, ``actor`` (None when not an actor), ``actor_type``, ``rule``
        (actor-file, pattern, demonym, translit, short-name, auto, ambiguous — or the reason it is not an
        actor: non-entity, generic phrase, bare title, truncated span).

    Examples
    --------
    >>> f = pd.DataFrame({"text": ["Kiev", "Head of State", "Putin"], "label": ["GPE", "ORG", "PERSON"],
    ...                   "n": [2, 1, 3]})
    >>> resolve_surface_forms(f)
                text           actor actor_type            rule
    0           Kiev            Kyiv      place      actor-file
    1  Head of State            None       None  generic phrase
    2          Putin  Vladimir Putin     person      actor-file
    """
    fs = R.Forms.build(forms, actor_specs(actor_file))
    return _resolve(fs, keep_groups=keep_groups)[0]


def _resolve(fs: "R.Forms", *, keep_groups: bool) -> tuple[pd.DataFrame, dict]:
    decided: dict[str, tuple] = {}
    pending: list[str] = []
    for nkey in fs.display:
        form = fs.display[nkey]
        d = (R.rule_term(nkey, fs) or R.rule_non_entity(form) or R.rule_actor_file(nkey, fs)
             or R.rule_generic(nkey, fs) or R.rule_ambiguous(nkey, fs)
             or R.rule_demonym(nkey, fs, keep_groups=keep_groups))
        if d is None:
            pending.append(nkey)
        else:
            decided[nkey] = d
    comp_actor, uf, comps = R.rule_translit(pending, decided, fs)
    short = R.rule_short_name(pending, decided, comp_actor, uf, fs)
    result: dict[str, tuple] = dict(decided)
    for nkey in pending:
        result[nkey] = (*short[nkey], "short-name") if nkey in short else comp_actor[uf.find(nkey)]
    for root, members in comps.items():  # a short name's spelling family follows it
        shorts = [short[m] for m in members if m in short]
        if shorts:
            for m in members:
                if m not in short:
                    result[m] = (*shorts[0], "short-name")
    for nkey in pending:
        d = R.rule_generic_demonym(nkey, result, fs, keep_groups=keep_groups)
        if d is not None:
            result[nkey] = d
    types = R.rule_type_repair(result, fs)
    texts = fs.f.groupby("text", sort=False)["nkey"].first()
    out = pd.DataFrame({"text": texts.index})
    nk = texts.to_numpy()
    out["actor"] = [result[k][0] for k in nk]
    out["actor_type"] = [None if a is None else types.get(a, "other") for a in out["actor"]]
    out["rule"] = [result[k][2] for k in nk]
    return out, result


def _forms_of(mentions: pd.DataFrame) -> pd.DataFrame:
    """Distinct ``(text, label)`` with counts; mentions propagated from a form tagged elsewhere in their
    article (``propagated`` 1, :func:`newskit.actors.spans.propagate_names`) add no vote."""
    keys = ["text", "label"]
    if "propagated" in mentions:
        mentions = mentions[mentions["propagated"].fillna(0).to_numpy() != 1]
    if "place_cue" in mentions:
        g = mentions.groupby(keys, sort=False)
        return pd.DataFrame({"n": g.size(), "place_cue": g["place_cue"].sum()}).reset_index()
    return mentions.groupby(keys, sort=False).size().rename("n").reset_index()


def resolve_actors(mentions: pd.DataFrame, *, actor_file=None, keep_groups: bool = False,
                   cache_dir: str | os.PathLike | None = None, articles: pd.DataFrame | None = None,
                   warn_unmatched: bool = True, with_rejects: bool = False):
    """Add ``actor`` and ``actor_type`` to a mentions table; drop mentions that are not actors.

    Parameters
    ----------
    mentions : DataFrame
        With ``text`` and ``label`` (spaCy, or ``TERM`` for :func:`match_patterns` rows) columns;
        ``article_id`` and ``start`` for the context of ambiguous short forms.
    actor_file : path or list of paths, optional
        User actor file(s); the starter file is always read.
    keep_groups : bool
        Keep demonym groups (NORP) as their own actors.
    cache_dir : str or path, optional
        Keep the resolution of the distinct surface forms there as Parquet, keyed by the forms and their
        counts, the actor files' entries, ``keep_groups`` and this package's source.
    articles : DataFrame, optional
        ``article_id`` with ``text`` (a country named just before an ambiguous short form qualifies it)
        and ``source`` (the actor file's ``sources:`` country). Without it only the article's other
        mentions are used.
    warn_unmatched : bool
        Warn (with ``file:line``) about entries of the user's actor files that match no mention.

    with_rejects : bool
        Also return the table of the surface forms that are not actors: ``text, label, n, rule,
        reason`` (see :func:`actor_rejects`).

    Returns
    -------
    DataFrame, or (DataFrame, DataFrame) with ``with_rejects=True``
        The mentions that are actors, with ``actor`` and ``actor_type`` (and the rejects).

    Examples
    --------
    >>> m = pd.DataFrame({"text": ["Zelenskyy", "Zelensky", "Kiev", "Kyiv", "he", "Russians", "State"],
    ...                   "label": ["PERSON", "PERSON", "GPE", "GPE", "PERSON", "NORP", "ORG"]})
    >>> res, rejects = resolve_actors(m, with_rejects=True)
    >>> res[["text", "actor", "actor_type"]]
            text               actor actor_type
    0  Zelenskyy  Volodymyr Zelensky     person
    1   Zelensky  Volodymyr Zelensky     person
    2       Kiev                Kyiv      place
    3       Kyiv                Kyiv      place
    4   Russians              Russia      place
    >>> rejects[["text", "n", "rule"]]
        text  n            rule
    0  State  1  generic phrase
    1     he  1      non-entity
    """
    cols = list(mentions.columns)
    if len(mentions) == 0:
        out = mentions.copy()
        out["actor"] = pd.Series(dtype="object")
        out["actor_type"] = pd.Series(dtype="object")
        if with_rejects:
            return out, _rejects_frame(pd.DataFrame(columns=["text", "label", "n", "rule"]))
        return out
    forms = _forms_of(mentions)
    if cache_dir is None:
        res = resolve_surface_forms(forms, actor_file=actor_file, keep_groups=keep_groups)
    else:
        res = _resolve_cached(forms, actor_file=actor_file, keep_groups=keep_groups, cache_dir=Path(cache_dir))
    amap = dict(zip(res["text"], res["actor"]))
    tmap = dict(zip(res["text"], res["actor_type"]))
    rmap = dict(zip(res["text"], res["rule"]))
    out = mentions.drop(columns=[c for c in ("actor", "actor_type") if c in cols])
    out = out.assign(actor=out["text"].map(amap), actor_type=out["text"].map(tmap))
    if "article_id" in out and (res["rule"] == "ambiguous").any():
        out = _apply_context(out, res, rmap, actor_file=actor_file, articles=articles)
    rejected = forms.assign(rule=forms["text"].map(rmap))
    rejected = rejected[rejected["text"].map(amap).isna()]
    if warn_unmatched:
        _warn_unmatched(out, actor_file)
    out = out[out["actor"].notna()].reset_index(drop=True)
    if with_rejects:
        return out, _rejects_frame(rejected)
    return out


def _apply_context(out: pd.DataFrame, res: pd.DataFrame, rmap: Mapping, *, actor_file, articles) -> pd.DataFrame:
    amb = out["text"].map(rmap).eq("ambiguous").to_numpy()
    sub = out[amb]
    specs = actor_specs(actor_file)
    fs = R.Forms.index(specs)
    result: dict[str, tuple] = {}
    for t, a, ty, r in zip(res["text"], res["actor"], res["actor_type"], res["rule"]):
        result.setdefault(normalise_surface(t).casefold(), (a, ty, r))
    # the article's other actors (for "a longer form in the same article")
    ids = set(sub["article_id"].astype(str))
    ctx = out[out["article_id"].astype(str).isin(ids)]
    texts = sources = titles = None
    if articles is not None and "article_id" in articles:
        a = articles[articles["article_id"].astype(str).isin(ids)]
        if "text" in a:
            texts = dict(zip(a["article_id"].astype(str), a["text"]))
        if "title" in a:
            titles = dict(zip(a["article_id"].astype(str), a["title"]))
        if "source" in a:
            sources = dict(zip(a["article_id"].astype(str), a["source"]))
    decisions = R.rule_context(ctx, fs, result, texts=texts, sources=sources,
                               source_country=source_countries(actor_file), titles=titles)
    pos = {ix: d for ix, d in zip(ctx.index, decisions) if d is not None}
    actor = out["actor"].copy()
    atype = out["actor_type"].copy()
    for ix, (a, t, _rule) in pos.items():
        actor.at[ix] = a
        if t:
            atype.at[ix] = t
    return out.assign(actor=actor, actor_type=atype)


def _rejects_frame(rejected: pd.DataFrame) -> pd.DataFrame:
    r = rejected[["text", "label", "n", "rule"]].copy() if len(rejected) else \
        pd.DataFrame({"text": pd.Series(dtype=object), "label": pd.Series(dtype=object),
                      "n": pd.Series(dtype="int64"), "rule": pd.Series(dtype=object)})
    r = r.groupby(["text", "label", "rule"], sort=False, as_index=False)["n"].sum()[["text", "label", "n", "rule"]]
    r["reason"] = r["rule"].map(REJECT_REASONS).fillna(r["rule"])
    return r.sort_values(["n", "text"], ascending=[False, True]).reset_index(drop=True)


def actor_rejects(mentions: pd.DataFrame, *, actor_file=None, keep_groups: bool = False) -> pd.DataFrame:
    """The surface forms of a (raw) mentions table that are not actors, with the reason.

    Returns
    -------
    DataFrame
        ``text, label, n, rule, reason``, most frequent first.

    Examples
    --------
    >>> m = pd.DataFrame({"text": ["Government", "Office of the President of", "Kyiv"],
    ...                   "label": ["ORG", "ORG", "GPE"]})
    >>> actor_rejects(m)[["text", "rule"]]
                             text            rule
    0                  Government  generic phrase
    1  Office of the President of  truncated span
    """
    return resolve_actors(mentions, actor_file=actor_file, keep_groups=keep_groups,
                          warn_unmatched=False, with_rejects=True)[1]


def unmatched_entries(mentions: pd.DataFrame, actor_file=None, *, include_starter: bool = False) -> pd.DataFrame:
    """Actor-file entries that no mention was resolved to: ``file, line, name``.

    Parameters
    ----------
    mentions : DataFrame
        A resolved mentions table (``actor`` column).
    actor_file : path or list of paths, optional
    include_starter : bool
        Also list entries of the starter file.

    Examples
    --------
    >>> m = resolve_actors(pd.DataFrame({"text": ["Kiev"], "label": ["GPE"]}))
    >>> bool(unmatched_entries(m, include_starter=True)["name"].isin(["Kyiv"]).any())
    False
    """
    seen = set(mentions["actor"].dropna().unique()) if "actor" in mentions else set()
    rows = []
    for f in actor_files(actor_file):
        if not include_starter and Path(f.path).resolve() == STARTER_FILE.resolve():
            continue
        for s in f.actors:
            if s.name not in seen:
                rows.append({"file": f.path, "line": s.line, "name": s.name})
    return pd.DataFrame(rows, columns=["file", "line", "name"])


def _warn_unmatched(out: pd.DataFrame, actor_file) -> None:
    if actor_file is None:
        return
    miss = unmatched_entries(out, actor_file)
    if len(miss):
        where = "; ".join(f"{f}:{ln}: {n!r}" for f, ln, n in miss.head(20).itertuples(index=False))
        more = f" (and {len(miss) - 20} more)" if len(miss) > 20 else ""
        warnings.warn(f"actor file: {len(miss)} entr{'y' if len(miss) == 1 else 'ies'} matched no mention: "
                      f"{where}{more}", UserWarning, stacklevel=3)


def _source_hash():
    import hashlib

    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.read_bytes())
    return h


def _resolve_cached(forms: pd.DataFrame, *, actor_file, keep_groups: bool, cache_dir: Path) -> pd.DataFrame:
    import uuid

    h = _source_hash()
    h.update(repr(actor_specs(actor_file)).encode("utf-8", "surrogatepass"))
    h.update(b"groups" if keep_groups else b"merged")
    h.update(pd.util.hash_pandas_object(forms, index=False).to_numpy().tobytes())
    path = cache_dir / f"resolution-{h.hexdigest()[:32]}.parquet"
    if path.is_file():
        try:
            res = pd.read_parquet(path)
            if {"text", "actor", "actor_type", "rule"} <= set(res.columns):
                return res
            raise ValueError(f"columns {list(res.columns)}")
        except Exception as exc:  # noqa: BLE001 - a bad cache file is redone, never trusted
            warnings.warn(f"newskit cache: {path} is unreadable ({exc}); resolving again", stacklevel=4)
    res = resolve_surface_forms(forms, actor_file=actor_file, keep_groups=keep_groups)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{uuid.uuid4().hex}.parquet")
        res.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except OSError as exc:
        warnings.warn(f"newskit cache: cannot write {path} ({exc})", stacklevel=4)
    return res

"""The declared annotation pipeline: each step says its name, version, what it reads and what it adds.

A step is a :class:`Step` — ``Step(name, version, requires, assigns, fn)`` — whose ``fn(batch)`` reads
tables of a :class:`Batch` (one chunk of articles) and writes its outputs onto it. ``requires`` and
``assigns`` name tables (``"dates"``: the step writes the whole table) or columns
(``"sentences.compound"``: the step adds columns to a table another step wrote). Adding a step is one
entry in :func:`default_steps`. The cache (:mod:`newskit.pipeline.cache`) keys each step by its name,
version and the keys of the steps it reads from, so switching one step re-runs that step and what
depends on it — not spaCy NER.

Steps share per-batch intermediate results through ``batch.scratch`` (e.g. VADER's analysis of each
sentence, reused by mention scoring) — never through module state.

>>> [s.name for s in default_steps()]
['sentences', 'entities', 'span_repair', 'terms', 'quotes', 'sentence_sentiment', 'mention_sentiment', 'dates']
>>> default_steps()[6].requires
('sentences.text', 'mentions.start', 'mentions.end', 'mentions.is_speaker')
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import os
from pathlib import Path

import pandas as pd

from newskit import _schema

__all__ = ["Batch", "Step", "default_steps", "text_pieces", "entity_spans", "chain_hashes", "producers", "SENTIMENT_MODELS", "run_steps",
           "assemble", "annotate_partition", "describe_steps", "steps_for", "run_options"]

#: names accepted by ``annotate(sentiment_model=...)``
SENTIMENT_MODELS = ("transformer", "fast", "sentence")
#: the default target-sentiment model of the pipeline: the fine-tuned transformer (NewsMTSC dev macro-F1
#: 0.73 / 0.79 against 0.60 / 0.66 for ``"fast"``, which stays for very large corpora; see docs/transformer.md)
DEFAULT_SENTIMENT_MODEL = "transformer"


@dataclass
class Batch:
    """One chunk of articles going through the pipeline.

    Attributes
    ----------
    articles : DataFrame
        ``article_id``, ``text`` and optionally ``date`` (publication date).
    tables : dict of DataFrame
        Tables written so far (``sentences``, ``mentions``, ``dates`` …).
    scratch : dict
        Intermediate results shared by the steps of this batch (not cached, not returned).
    resources : dict
        Loaded on demand in the process that runs the batch (``nlp``: the spaCy pipeline).
    options : dict
        Options of the run (``model``, ``labels``, ``batch_size``).
    """

    articles: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    scratch: dict[str, Any] = field(default_factory=dict)
    resources: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def nlp(self):
        """The spaCy pipeline of this run (loaded once per process)."""
        if "nlp" not in self.resources:
            from newskit.pipeline.model import load_model

            self.resources["nlp"] = load_model(self.options.get("model"))
        return self.resources["nlp"]


@dataclass(frozen=True)
class Step:
    """A declared pipeline step.

    Parameters
    ----------
    name : str
        Unique name (also the cache folder).
    version : str
        Changes whenever the step's output changes (a model's identity is part of it).
    requires : tuple of str
        ``"table"`` or ``"table.column"`` the step reads (``"articles.text"`` …).
    assigns : tuple of str
        ``"table"`` (the step writes the whole table) or ``"table.column"`` (adds columns).
    fn : callable
        ``fn(batch) -> None``.

    Examples
    --------
    >>> def n_chars(batch):
    ...     s = batch.tables["sentences"]
    ...     batch.tables["sentences"] = s.assign(n_chars=s["end"] - s["start"])
    >>> step = Step("n_chars", "1", ("sentences.start", "sentences.end"), ("sentences.n_chars",), n_chars)
    >>> step.outputs()
    {'sentences': ['n_chars']}
    >>> [s.name for s in default_steps() + [step]][-2:]   # a new step is one entry
    ['dates', 'n_chars']
    """

    name: str
    version: str
    requires: tuple[str, ...]
    assigns: tuple[str, ...]
    fn: Callable[[Batch], None] = field(compare=False, repr=False)

    def outputs(self) -> dict[str, list[str] | None]:
        """Table → added columns (None: the whole table)."""
        out: dict[str, list[str] | None] = {}
        for a in self.assigns:
            t, _, c = a.partition(".")
            if not c:
                out[t] = None
            elif out.get(t, []) is not None:
                out.setdefault(t, []).append(c)
        return out


# --------------------------------------------------------------------------- step functions
def _titles(articles: pd.DataFrame) -> list[str]:
    """The title of each article of a batch ("" when it has none)."""
    if "title" not in articles.columns:
        return [""] * len(articles)
    return [t if isinstance(t, str) else "" for t in articles["title"].tolist()]


def _sentences(batch: Batch) -> None:
    """Sentences of each article: its title's first (``in_title``, ``sent_id`` −n … −1, offsets into the
    title), then its text's (``sent_id`` 0, 1 …, offsets into the text)."""
    from newskit.text import sentence_spans

    rows: dict[str, list] = {c: [] for c in _schema.columns("sentences") + ["in_title"]}

    def add(aid, i, s, e, text, title):
        rows["article_id"].append(aid)
        rows["sent_id"].append(i)
        rows["start"].append(s)
        rows["end"].append(e)
        rows["text"].append(text[s:e])
        rows["in_title"].append(title)

    for aid, text, title in zip(batch.articles["article_id"].tolist(), batch.articles["text"].tolist(),
                                _titles(batch.articles)):
        spans = sentence_spans(title) if title.strip() else []
        for k, (s, e) in enumerate(spans):
            add(aid, k - len(spans), s, e, title, True)
        for i, (s, e) in enumerate(sentence_spans(text)):
            add(aid, i, s, e, text, False)
    batch.tables["sentences"] = _typed(rows, "sentences")


def _typed(rows: Mapping[str, list], name: str) -> pd.DataFrame:
    if not next(iter(rows.values())):
        return _schema.empty(name, extra=[c for c in rows if c not in _schema.SCHEMAS[name]])
    df = pd.DataFrame(rows)
    for c in ("sent_id", "start", "end"):
        df[c] = df[c].astype("int64")
    if "in_title" in df.columns:
        df["in_title"] = df["in_title"].astype(bool)
    return df


def _in_order(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by article, the title's before the text's, then by offset (the order of every step)."""
    if not len(df):
        return df.reset_index(drop=True)
    t = df["in_title"].to_numpy(dtype=bool) if "in_title" in df.columns else False
    out = df.assign(_t=~t).sort_values(["article_id", "_t", "start", "end"], kind="stable")
    return out.drop(columns="_t").reset_index(drop=True)


def _split_title(df: pd.DataFrame):
    """Boolean array: the rows of a sentences/mentions table that belong to the title."""
    import numpy as np

    if "in_title" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    return df["in_title"].fillna(False).to_numpy(dtype=bool)


#: suffix of the key under which span repair sees an article's title as a text of its own
_TITLE_KEY = "\x1ftitle"  # not NUL: pandas group-bys cut object keys at NUL


def text_pieces(text: str, *, max_chars: int, cuts: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Cut ``text`` into consecutive ``(start, end)`` pieces of at most ``max_chars`` characters.

    A piece ends at the last of ``cuts`` (sentence ends) that fits, else at the last line break, else
    after the last sentence-final punctuation, else at the last space, else at ``max_chars``. The
    pieces cover the text exactly, so offsets in a piece plus its start are offsets in the text.

    >>> text_pieces("One two. Three four. Five.", max_chars=12)
    [(0, 9), (9, 21), (21, 26)]
    >>> text_pieces("One two. Three four. Five.", max_chars=12, cuts=[8, 20, 26])
    [(0, 8), (8, 20), (20, 26)]
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    cut_list = sorted(set(int(c) for c in cuts))
    pieces, start, n = [], 0, len(text)
    while n - start > max_chars:
        limit = start + max_chars
        i = bisect.bisect_right(cut_list, limit) - 1
        cut = cut_list[i] if i >= 0 else -1
        if cut <= start:
            cut = text.rfind("\n", start + 1, limit + 1)
        if cut <= start:
            ends = [m.end() for m in _SENTENCE_END.finditer(text, start, limit)]
            cut = ends[-1] if ends else -1
        if cut <= start:
            cut = text.rfind(" ", start + 1, limit + 1)
        if cut <= start:
            cut = limit
        pieces.append((start, cut))
        start = cut
    pieces.append((start, n))
    return pieces


_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")


def entity_spans(nlp, texts: Sequence[str], *, batch_size: int = 32, cuts: Sequence[Sequence[int]] | None = None,
                 max_chars: int | None = None) -> list[list[tuple[int, int, str, str]]]:
    """spaCy entities ``(start, end, label, text)`` of each text, offsets into the text.

    A text longer than ``max_chars`` (default: ``nlp.max_length``, 1,000,000 characters, beyond which
    spaCy refuses a text with error E088) is run in pieces (:func:`text_pieces`, cut at its sentence
    ends ``cuts[i]`` when given) and the offsets shifted back, so a very long article is annotated
    rather than aborting the corpus; shorter texts run whole, exactly as before.
    """
    limit = int(max_chars or getattr(nlp, "max_length", 1_000_000))
    pieces = [text_pieces(t, max_chars=limit, cuts=(cuts[i] if cuts is not None else ()))
              if len(t) > limit else [(0, len(t))] for i, t in enumerate(texts)]
    flat = [t[s:e] for t, ps in zip(texts, pieces) for s, e in ps]
    out: list[list[tuple[int, int, str, str]]] = [[] for _ in texts]
    owners = [(i, s) for i, ps in enumerate(pieces) for s, _ in ps]
    for (i, offset), doc in zip(owners, nlp.pipe(flat, batch_size=batch_size)):
        out[i].extend((ent.start_char + offset, ent.end_char + offset, ent.label_, ent.text) for ent in doc.ents)
    return out


def _entities(batch: Batch) -> None:
    """spaCy NER on each whole article (a text over the model's ``max_length`` in pieces cut at sentence
    ends, :func:`entity_spans`) and on each title (its mentions ``in_title``, offsets into the title);
    mentions crossing a sentence boundary are dropped."""
    labels = set(batch.options.get("labels") or ENTITY_LABELS_DEFAULT())
    sents = batch.tables["sentences"]
    st = _split_title(sents)
    by_article: dict[tuple[str, bool], tuple[list[int], list[int], list[int]]] = {}
    for (aid, title), g in sents.assign(_t=st).groupby(["article_id", "_t"], sort=False):
        by_article[(aid, bool(title))] = (g["start"].tolist(), g["end"].tolist(), g["sent_id"].tolist())
    rows: dict[str, list] = {c: [] for c in _schema.columns("mentions") + ["in_title"]}
    ids = batch.articles["article_id"].tolist()
    texts = batch.articles["text"].tolist()
    titles = _titles(batch.articles)
    owners = [(aid, False) for aid in ids] + [(aid, True) for aid, t in zip(ids, titles) if t.strip()]
    docs = texts + [t for t in titles if t.strip()]
    cuts = [by_article.get(o, ([], [], []))[1] for o in owners]
    spans = entity_spans(batch.nlp(), docs, batch_size=int(batch.options.get("batch_size", 32)), cuts=cuts)
    for (aid, title), ents in zip(owners, spans):
        starts, ends, sids = by_article.get((aid, title), ([], [], []))
        for s, e, label, ent_text in ents:
            if label not in labels:
                continue
            i = bisect.bisect_right(starts, s) - 1
            if i < 0 or e > ends[i]:
                continue
            rows["article_id"].append(aid)
            rows["sent_id"].append(sids[i])
            rows["start"].append(s)
            rows["end"].append(e)
            rows["text"].append(ent_text)
            rows["label"].append(label)
            rows["in_title"].append(title)
    batch.tables["mentions"] = _in_order(_typed(rows, "mentions"))


def ENTITY_LABELS_DEFAULT() -> tuple[str, ...]:  # noqa: N802 - a constant, imported lazily
    from newskit.pipeline.model import ENTITY_LABELS

    return ENTITY_LABELS


def _quotes(batch: Batch) -> None:
    """Quotes and their speakers (newskit.quotes) in the article text; marks mentions inside quotes and
    speaker spans (title mentions are in no quote and speak none: ``in_quote_of`` −1)."""
    import numpy as np

    from newskit.quotes import mark_mentions, quotes_table

    m = batch.tables["mentions"].reset_index(drop=True)
    sents = batch.tables["sentences"]
    mt = _split_title(m)
    body = m[~mt]
    q = quotes_table(batch.articles, sents[~_split_title(sents)], body)
    batch.tables["quotes"] = q
    marked = mark_mentions(body, q)
    in_q = np.full(len(m), -1, dtype=np.int64)
    spk = np.zeros(len(m), dtype=bool)
    in_q[~mt] = marked["in_quote_of"].to_numpy()
    spk[~mt] = marked["is_speaker"].to_numpy(dtype=bool)
    batch.tables["mentions"] = m.assign(in_quote_of=in_q, is_speaker=spk)


def _unscore_speakers(m: pd.DataFrame, score, sentiment) -> pd.DataFrame:
    """Scores of the mentions, with speaker spans (``is_speaker``) left unscored: a speaker-turn label
    or "X said" is not a portrayal of X."""
    score = pd.Series(score, dtype="float64").to_numpy().copy()
    sentiment = pd.Series(sentiment, dtype="object").to_numpy().copy()
    if "is_speaker" in m.columns and len(m):
        spk = m["is_speaker"].to_numpy(dtype=bool)
        score[spk] = float("nan")
        sentiment[spk] = None
    return m.assign(score=score, sentiment=sentiment)


def _sentence_sentiment(batch: Batch) -> None:
    from newskit.sentiment.vader import sentence_sentiment

    sents = batch.tables["sentences"]
    analyses: dict = {}
    senti = sentence_sentiment(sents["text"].tolist(), analyses=analyses).reset_index(drop=True)
    batch.scratch["vader"] = analyses
    batch.tables["sentences"] = pd.concat([sents.reset_index(drop=True), senti], axis=1)


def _mention_sentiment(batch: Batch, *, method: str) -> None:
    from newskit.sentiment.target_model import score_mentions

    m = batch.tables["mentions"].reset_index(drop=True)
    scored = score_mentions(batch.tables["sentences"], m, method=method, analyses=batch.scratch.get("vader"))
    batch.tables["mentions"] = _unscore_speakers(m, scored["score"].to_numpy(), scored["sentiment"].to_numpy())


def _mention_sentiment_transformer(batch: Batch) -> None:
    """Target sentiment of every mention with the fine-tuned transformer (one row per mention; identical
    (sentence, span) pairs — wire copy — are scored once inside the model)."""
    from newskit.sentiment.transformer import score_spans

    m = batch.tables["mentions"].reset_index(drop=True)
    if not len(m):
        batch.tables["mentions"] = m.assign(score=pd.Series(dtype="float64"), sentiment=pd.Series(dtype="object"))
        return
    s = batch.tables["sentences"][["article_id", "sent_id", "start", "text"]]
    j = m[["article_id", "sent_id", "start", "end"]].merge(
        s.rename(columns={"start": "s_start", "text": "s_text"}), on=["article_id", "sent_id"], how="left")
    spans = list(zip((j["start"] - j["s_start"]).tolist(), (j["end"] - j["s_start"]).tolist()))
    scored = score_spans(j["s_text"].tolist(), spans)
    batch.tables["mentions"] = _unscore_speakers(m, scored["score"].to_numpy(), scored["sentiment"].to_numpy())


def _span_repair(batch: Batch, *, actor_file=None) -> None:
    """Split "<Title> of <Country> <Name>" spans, re-join split names, keep "St", mark place contexts
    (:func:`newskit.actors.repair_spans`), relabel surnames of the article's persons
    (:func:`newskit.actors.spans.relabel_surnames`) and add the article's missed occurrences of its tagged
    names (:func:`newskit.actors.spans.propagate_names`); offsets stay exact. A title is repaired as a
    text of its own (its offsets index the title) that shares its article's names."""
    from newskit.actors import repair_spans
    from newskit.actors.spans import propagate_names, relabel_surnames

    a = batch.articles
    m = batch.tables["mentions"]
    texts = dict(zip(a["article_id"], a["text"]))
    mt = _split_title(m)
    texts.update({f"{aid}{_TITLE_KEY}": t for aid, t in zip(a["article_id"], _titles(a)) if t})
    if mt.any():
        ids = m["article_id"].astype(object).to_numpy().copy()
        ids[mt] = [f"{aid}{_TITLE_KEY}" for aid in ids[mt]]
        m = m.assign(article_id=ids)
    out = repair_spans(m, texts, actor_file=actor_file)
    fam = {k: k.removesuffix(_TITLE_KEY) for k in texts}
    out = relabel_surnames(out, family=fam, actor_file=actor_file)
    new = propagate_names(out, texts, family=fam)
    if len(new):
        new = _in_sentences(new, batch.tables.get("sentences"))
        out = pd.concat([out, new[[c for c in new.columns if c in out.columns or c == "propagated"]]],
                        ignore_index=True)
    ids = out["article_id"].astype(str)
    title = ids.str.endswith(_TITLE_KEY).to_numpy()
    out = out.assign(article_id=ids.str.removesuffix(_TITLE_KEY).to_numpy(dtype=object), in_title=title)
    for c, v in (("in_quote_of", -1), ("is_speaker", False)):
        if c in out.columns:
            out[c] = out[c].fillna(v)
    out["sent_id"] = out["sent_id"].astype("int64")
    out["place_cue"] = out["place_cue"].fillna(0).astype("int8")
    out["propagated"] = (out["propagated"].fillna(0) if "propagated" in out else 0)
    out["propagated"] = out["propagated"].astype("int8")
    batch.tables["mentions"] = _in_order(out)


def _in_sentences(new: pd.DataFrame, sents: pd.DataFrame | None) -> pd.DataFrame:
    """``sent_id`` of mentions keyed by article (or ``<article>`` + :data:`_TITLE_KEY` for a title); the
    ones no sentence holds whole are dropped."""
    if sents is None or not len(sents):
        return new.iloc[:0].assign(sent_id=pd.Series(dtype="int64"))
    key = sents["article_id"].astype(str) + pd.Series(
        [_TITLE_KEY if t else "" for t in _split_title(sents)], index=sents.index)
    by: dict[str, tuple[list[int], list[int], list[int]]] = {}
    t = pd.DataFrame({"k": key.to_numpy(), "s": sents["start"].to_numpy(), "e": sents["end"].to_numpy(),
                      "i": sents["sent_id"].to_numpy()}).sort_values(["k", "s"], kind="stable")
    for k, s_, e_, i_ in zip(t["k"].tolist(), t["s"].tolist(), t["e"].tolist(), t["i"].tolist()):
        lists = by.setdefault(k, ([], [], []))
        lists[0].append(s_)
        lists[1].append(e_)
        lists[2].append(i_)
    sid = []
    for k, s, e in zip(new["article_id"], new["start"], new["end"]):
        starts, ends, ids = by.get(k, ([], [], []))
        i = bisect.bisect_right(starts, s) - 1
        sid.append(ids[i] if i >= 0 and e <= ends[i] else None)
    out = new.assign(sent_id=sid)
    return out[out["sent_id"].notna()].astype({"sent_id": "int64"})


def _terms(batch: Batch, *, actor_file=None) -> None:
    """Phrase and dictionary actors: the actor files' ``patterns:`` matched in the text (and the title) as
    ``TERM`` mentions (:func:`newskit.actors.pattern_mentions`); matches crossing a sentence boundary are
    dropped."""
    from newskit.actors import add_pattern_mentions, compile_patterns, pattern_mentions

    pats = compile_patterns(actor_file)
    sents = batch.tables["sentences"]
    m = batch.tables["mentions"]
    st, mt = _split_title(sents), _split_title(m)
    parts = []
    for title in (True, False):
        s = sents[st == title]
        if title:  # sent_id −1, −2 … ↔ 0, 1 … (pattern_mentions says −1 for "no sentence")
            s = s.assign(sent_id=-s["sent_id"] - 1)
            arts = batch.articles[["article_id"]].assign(title=_titles(batch.articles))
            arts = arts[arts["title"] != ""]
        else:
            arts = batch.articles
        terms = pattern_mentions(arts, pats, sentences=s, column="title" if title else "text")
        if len(terms):
            ends = s.set_index(["article_id", "sent_id"])["end"]
            key = list(zip(terms["article_id"], terms["sent_id"]))
            ok = [k[1] >= 0 and e <= ends.get(k, -1) for k, e in zip(key, terms["end"])]
            terms = terms[ok].drop(columns=["actor"])
            if title:
                terms = terms.assign(sent_id=-terms["sent_id"] - 1)
        part = add_pattern_mentions(m[mt == title], terms)
        parts.append(part.assign(in_title=title) if len(part) else part)
    m = pd.concat([p for p in parts if len(p)] or [m.iloc[:0]], ignore_index=True)
    if "place_cue" in m:
        m["place_cue"] = m["place_cue"].fillna(0).astype("int8")
    m["in_title"] = m["in_title"].astype(bool) if "in_title" in m else False
    batch.tables["mentions"] = _in_order(m)


def _actor_file_digest(actor_file) -> str:
    """Part of the span-repair and terms versions: the module sources (and this one's) and the actor files'
    entries."""
    from newskit.actors import actor_specs

    h = hashlib.sha256()
    for mod in ("spans", "patterns", "actor_file", "normalise"):
        h.update(Path(__file__).resolve().parents[1].joinpath("actors", f"{mod}.py").read_bytes())
    h.update(Path(__file__).read_bytes())  # the step functions themselves (title keys, sentence assignment)
    h.update(repr(actor_specs(actor_file)).encode("utf-8", "surrogatepass"))
    return h.hexdigest()[:12]


def _dates(batch: Batch) -> None:
    from newskit.dates import sentence_dates

    a = batch.articles
    if "date" in a.columns:
        published = dict(zip(a["article_id"], pd.to_datetime(a["date"], errors="coerce")))
    else:
        published = {aid: pd.NaT for aid in a["article_id"]}
    sents = batch.tables["sentences"]
    batch.tables["dates"] = pd.DataFrame(sentence_dates(sents[~_split_title(sents)], published))


# --------------------------------------------------------------------------- the default list
def _module_version(module: str) -> str:
    import importlib

    return str(getattr(importlib.import_module(module), "PIPELINE_VERSION", "0"))


def default_steps(*, model: str | None = None, labels: Sequence[str] | None = None,
                  sentiment_model: str | None = None, actor_file=None) -> list[Step]:
    """The pipeline, in order.

    Parameters
    ----------
    model : str, optional
        spaCy model (its name and version are part of the ``entities`` step's version).
    labels : sequence of str, optional
        spaCy entity labels kept as mentions (default :data:`newskit.pipeline.model.ENTITY_LABELS`).
    sentiment_model : {"transformer", "fast", "sentence"}, optional
        Target sentiment of mentions: ``"transformer"`` (the fine-tuned encoder shipped as ONNX,
        :mod:`newskit.sentiment.transformer`), ``"fast"`` (the target-aware linear model shipped as JSON,
        for very large corpora) or ``"sentence"`` (whole-sentence VADER with a neutral band, a baseline).
        Default :data:`DEFAULT_SENTIMENT_MODEL`.
    actor_file : path or list of paths, optional
        User actor file(s): their persons and places are evidence for span repair, their ``patterns:``
        are matched as terms (the steps' versions include the files' entries).

    Returns
    -------
    list of Step

    Examples
    --------
    >>> [s.version for s in default_steps(sentiment_model="sentence") if s.name == "mention_sentiment"]
    ['1+sentence']
    """
    from newskit.pipeline.model import ENTITY_LABELS, model_identity

    sentiment_model = sentiment_model or DEFAULT_SENTIMENT_MODEL
    if sentiment_model not in SENTIMENT_MODELS:
        raise ValueError(f"sentiment_model must be one of {SENTIMENT_MODELS}, not {sentiment_model!r}")
    ident = model_identity(model)
    labs = sorted(labels if labels is not None else ENTITY_LABELS)
    if sentiment_model == "transformer":
        from newskit.sentiment.transformer import model_identity as transformer_identity

        senti_version, senti_fn = f"2+transformer-{transformer_identity()}", _mention_sentiment_transformer
    elif sentiment_model == "fast":
        from newskit.sentiment.target_model import model_version

        senti_version = f"1+{model_version()}"
        senti_fn = functools.partial(_mention_sentiment, method="model")
    else:
        senti_version, senti_fn = "1+sentence", functools.partial(_mention_sentiment, method="sentence")
    from newskit.sentiment.vader import VERSION as VADER_VERSION
    digest = _actor_file_digest(actor_file)

    return [
        Step("sentences", f"2+text{_module_version('newskit.text')}", ("articles.text", "articles.title"),
             ("sentences",), _sentences),
        Step("entities", f"2+{ident['model']}-{ident['model_version']}+{','.join(labs)}",
             ("articles.text", "articles.title", "sentences.start", "sentences.end", "sentences.in_title"),
             ("mentions",), _entities),
        Step("span_repair", f"2+{digest}", ("articles.text", "articles.title", "sentences.start", "sentences.end",
                                            "mentions"), ("mentions",),
             functools.partial(_span_repair, actor_file=actor_file)),
        Step("terms", f"2+{digest}", ("articles.text", "articles.title", "sentences.start", "sentences.end",
                                      "mentions"),
             ("mentions",), functools.partial(_terms, actor_file=actor_file)),
        Step("quotes", f"2+quotes{_module_version('newskit.quotes')}",
             ("articles.text", "sentences.start", "sentences.end", "mentions.start", "mentions.end",
              "mentions.label"), ("quotes", "mentions.in_quote_of", "mentions.is_speaker"), _quotes),
        Step("sentence_sentiment", f"1+vader{VADER_VERSION}", ("sentences.text",),
             ("sentences.compound", "sentences.pos", "sentences.neg", "sentences.neu"), _sentence_sentiment),
        Step("mention_sentiment", senti_version, ("sentences.text", "mentions.start", "mentions.end",
                                                  "mentions.is_speaker"),
             ("mentions.score", "mentions.sentiment"), senti_fn),
        Step("dates", f"2+dates{_module_version('newskit.dates')}", ("sentences.text", "sentences.in_title",
                                                                     "articles.date"),
             ("dates",), _dates),
    ]


# --------------------------------------------------------------------------- plan
def producers(steps: Sequence[Step]) -> dict[str, list[str]]:
    """Step name → the names of the earlier steps whose outputs it reads."""
    out: dict[str, list[str]] = {}
    last: dict[str, str] = {}        # "table" or "table.column" → step that wrote it last
    for s in steps:
        deps = []
        for r in s.requires:
            t = r.partition(".")[0]
            who = last.get(r) or last.get(t)
            if who is None and t != "articles":
                raise ValueError(f"step {s.name!r} requires {r!r}, which no earlier step assigns")
            if who and who not in deps:
                deps.append(who)
        out[s.name] = deps
        for a in s.assigns:
            last[a] = s.name
            if "." not in a:  # a whole table replaces the columns written before
                for k in [k for k in last if k.startswith(a + ".")]:
                    del last[k]
    return out


def chain_hashes(steps: Sequence[Step]) -> dict[str, str]:
    """Step name → hash of its name, version and the chains of the steps it reads from.

    >>> s = default_steps()
    >>> a, b = chain_hashes(s), chain_hashes(default_steps(sentiment_model="sentence"))
    >>> [n for n in a if a[n] != b[n]]
    ['mention_sentiment']
    """
    names = [s.name for s in steps]
    if len(set(names)) != len(names):
        raise ValueError(f"step names must be unique: {names}")
    deps = producers(steps)
    chains: dict[str, str] = {}
    for s in steps:
        h = hashlib.sha256(f"{s.name}\0{s.version}".encode())
        for d in deps[s.name]:
            h.update(b"\0" + chains[d].encode())
        chains[s.name] = h.hexdigest()
    return chains


# --------------------------------------------------------------------------- running steps
def step_output(batch: Batch, step: Step) -> dict[str, pd.DataFrame]:
    """What ``step`` wrote on ``batch``: whole tables, or ``article_id, _row`` + the added columns."""
    out = {}
    for t, cols in step.outputs().items():
        df = batch.tables[t]
        if cols is None:
            out[t] = df.reset_index(drop=True)
            continue
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise RuntimeError(f"step {step.name!r} did not add {missing} to {t}")
        part = df[["article_id"] + cols].reset_index(drop=True)
        out[t] = part.assign(_row=part.groupby("article_id", sort=False).cumcount().astype("int64"))
    return out


def run_steps(articles: pd.DataFrame, steps: Sequence[Step], *, tables: Mapping[str, pd.DataFrame] | None = None,
              options: Mapping[str, Any] | None = None, resources: dict | None = None
              ) -> dict[str, dict[str, pd.DataFrame]]:
    """Run ``steps`` in order on one batch; returns each step's outputs (see :func:`step_output`).

    ``tables`` are the upstream tables of steps not run here (read from the cache)."""
    batch = Batch(articles=articles, tables=dict(tables or {}), options=dict(options or {}),
                  resources=resources if resources is not None else {})
    out = {}
    for s in steps:
        s.fn(batch)
        out[s.name] = step_output(batch, s)
    return out


def assemble(steps: Sequence[Step], outputs: Mapping[str, Mapping[str, pd.DataFrame]], *,
             key: str = "article_id") -> dict[str, pd.DataFrame]:
    """Combine the outputs of ``steps`` (whole tables and added columns, keyed by ``key`` and ``_row``)
    into tables, in step order. Steps missing from ``outputs`` are skipped."""
    tables: dict[str, pd.DataFrame] = {}
    for s in steps:
        got = outputs.get(s.name)
        if got is None:
            continue
        for t, cols in s.outputs().items():
            df = got[t]
            if cols is None:
                tables[t] = df.assign(_row=df.groupby(key, sort=False).cumcount().astype("int64"))
                continue
            if t not in tables:
                continue
            base = tables[t].drop(columns=[c for c in cols if c in tables[t].columns])
            if len(df) == len(base) and (df[key].to_numpy() == base[key].to_numpy()).all() and \
                    (df["_row"].to_numpy() == base["_row"].to_numpy()).all():
                # same rows in the same order (the usual case: written chunk by chunk alongside)
                tables[t] = base.assign(**{c: df[c].to_numpy() for c in cols})
            else:
                tables[t] = base.merge(df[[key, "_row"] + cols], on=[key, "_row"], how="left", sort=False)
    return {t: df.drop(columns="_row") for t, df in tables.items()}


# --------------------------------------------------------------------------- whole partitions
def steps_for(steps, *, model, labels, sentiment_model=None, actor_file=None) -> list[Step]:
    if steps is not None:
        return list(steps)
    return default_steps(model=None if model is None else str(model), labels=labels,
                         sentiment_model=sentiment_model, actor_file=actor_file)


def run_options(model, labels, batch_size) -> dict:
    return {"model": None if model is None else str(model), "labels": list(labels) if labels else None,
            "batch_size": batch_size}


def describe_steps(steps: Sequence[Step], ran: Mapping[str, int] | None = None) -> list[dict]:
    chains = chain_hashes(steps)
    return [{"name": s.name, "version": s.version, "chain": chains[s.name][:16],
             **({"annotated": int(ran.get(s.name, 0))} if ran is not None else {})} for s in steps]


def annotate_partition(df: pd.DataFrame, *, steps: Sequence[Step] | None = None,
                       model: str | os.PathLike | None = None, batch_size: int = 32,
                       labels: Sequence[str] | None = None, sentiment_model: str | None = None,
                       resources: dict | None = None) -> dict[str, pd.DataFrame]:
    """Run every step on one partition of articles, uncached: the plain function the Dask engine maps.

    Returns ``sentences``, ``mentions`` (not yet resolved to actors) and ``dates``, keyed by ``article_id``.
    """
    steps = steps_for(steps, model=model, labels=labels, sentiment_model=sentiment_model)
    a = df[[c for c in ("article_id", "text", "date", "title") if c in df.columns]].copy()
    a["article_id"] = a["article_id"].astype(str)
    a["text"] = a["text"].fillna("").astype(str)
    out = run_steps(a, steps, options=run_options(model, labels, batch_size), resources=resources)
    tables = assemble(steps, out)
    return {t: tables.get(t, _schema.empty(t)) for t in ("sentences", "mentions", "dates", "quotes")}



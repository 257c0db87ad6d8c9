"""Sentences, words, stop words, n-grams and collocations — offline, with character offsets.

Everything here is built on NLTK and works **without nltk_data**:

* :func:`sentence_spans` runs Punkt once per paragraph (a sentence never crosses a
  ``"\\n"``). When NLTK's trained English Punkt model (``punkt_tab``) is installed it is
  used (with newskit's abbreviations added); otherwise an untrained
  ``PunktSentenceTokenizer`` is given newskit's English abbreviation list and
  orthographic hints for common function words (so ``"... in the U.S. The
  President ..."`` splits while ``"U.S. President Biden"`` does not).
* :func:`word_spans` uses ``NLTKWordTokenizer().span_tokenize`` sentence by sentence
  (as ``nltk.word_tokenize`` does), falling back to a regular-expression tokenizer for a
  sentence on which NLTK raises.
* :data:`STOPWORDS` is newskit's own English function-word list
  (``newskit/data/stopwords_en.txt``), unioned with NLTK's ``stopwords`` corpus when that
  is installed. :data:`NEGATIONS` (``not``, ``no``, ``never``, ``n't`` ...) are **never** in
  :data:`STOPWORDS`, so dropping stop words keeps negations for sentiment analysis.

Offsets are character offsets into the string given, so ``text[start:end]`` is the
sentence or word (see the data model in ``DEVELOPERS.md``).

>>> from newskit.text import sentences, tokenize
>>> sentences("Mr. Smith went to Washington D.C. on Monday. He met Gen. Lee.\\nNew paragraph")
['Mr. Smith went to Washington D.C. on Monday.', 'He met Gen. Lee.', 'New paragraph']
>>> tokenize("The talks didn't fail.", lower=True, drop_stopwords=True, drop_punct=True)
['talks', "n't", 'fail']
"""
from __future__ import annotations

#: Bump when sentence_spans output changes: it is part of the annotation cache key.
PIPELINE_VERSION = "1"

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "sentence_spans",
    "word_spans",
    "sentences",
    "tokenize",
    "ngrams",
    "collocations",
    "STOPWORDS",
    "NEGATIONS",
    "ABBREVIATIONS",
]

Span = tuple[int, int]

# --------------------------------------------------------------------------------------
# Word lists
# --------------------------------------------------------------------------------------

#: Negation words and clitics. They are never part of :data:`STOPWORDS` (so
#: ``tokenize(..., drop_stopwords=True)`` keeps them); add them yourself if you want
#: them gone: ``STOPWORDS | NEGATIONS``.
NEGATIONS: frozenset[str] = frozenset(
    """
    not no never n't nor none nobody nothing neither nowhere without cannot
    don't doesn't didn't isn't aren't wasn't weren't won't wouldn't can't couldn't
    shouldn't hasn't haven't hadn't mustn't needn't ain't shan't mightn't daren't
    dont doesnt didnt isnt arent wasnt werent wont wouldnt cant couldnt shouldnt
    hasnt havent hadnt mustnt neednt
    """.split()
)

#: Punkt abbreviation types: lower case, without the final period ("U.S." -> "u.s").
ABBREVIATIONS: frozenset[str] = frozenset(
    """
    mr mrs ms mssrs messrs mmes dr prof rev hon pres fr sr jr esq st mt ft
    gen lt col sgt capt maj adm cmdr cmdt brig cpl pvt gov govt sen sens rep reps
    amb atty det insp supt lieut sec
    inc ltd co corp plc llc bros assn dept univ intl natl
    vs v etc e.g i.e cf viz al approx ca est fig figs vol vols ed eds pp ch
    no nos tel ext op
    u.s u.s.a u.k u.n e.u u.a.e d.c n.y l.a s.f a.m p.m b.c a.d ph.d m.d b.a m.a
    n.b p.s r.i.p u.s.s.r n.j n.c s.c n.h w.va
    jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri
    ala ariz calif colo conn fla kan kans ky md mich minn mont neb nev okla penn
    tenn tex wis wyo
    ave blvd rd hwy sq km cm mm kg lb lbs oz mln bln bn
    """.split()
)


def _load_wordlist(name: str) -> set[str]:
    text = resources.files("newskit").joinpath("data", name).read_text(encoding="utf-8")
    words: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.lower())
    return words


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    words = _load_wordlist("stopwords_en.txt")
    try:  # NLTK's list, only when its corpus is installed (never downloaded)
        from nltk.corpus import stopwords as _nltk_stopwords

        words |= {w.lower() for w in _nltk_stopwords.words("english")}
    except Exception:  # LookupError without nltk_data; anything else: keep ours
        pass
    return frozenset(words - NEGATIONS)


def __getattr__(name: str):
    # STOPWORDS (English function words, without NEGATIONS) is built on first use: NLTK's list is
    # merged in when its corpus is installed, and importing NLTK costs seconds that a warm, cached
    # annotate() (which only needs this module's PIPELINE_VERSION) should not pay.
    if name == "STOPWORDS":
        return _stopwords()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# --------------------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------------------

# Words that are lower case inside a sentence: a capitalised one right after an
# abbreviation ("... in the U.S. The ...") starts a new sentence. "us"/"i" are left
# out because "US"/"I" are also proper nouns / initials.
@lru_cache(maxsize=1)
def _ortho_words() -> frozenset[str]:
    return (_stopwords() | NEGATIONS) - {"us", "i", "may", "will"}


# US state / party codes as in "Sen. Jane Doe (D-Ill.)": unambiguous ones are plain
# abbreviations above; these are also English words, so they only count as
# abbreviations after a hyphen ("D-Mass.") or alone in brackets ("(Wash.)").
_STATE_WORDS = frozenset("ill mass miss wash ore mo la ga va vt pa del ind me ok ny nj".split())
_INITIALISM_RE = re.compile(r"^(?:[^\W\d_]\.){2,}$")  # K.C., E.O., S.D.


@lru_cache(maxsize=None)
def _punkt_classes() -> tuple[type, type]:
    from nltk.tokenize import punkt

    class NewsLanguageVars(punkt.PunktLanguageVars):
        # also split curly quotes and guillemets off the start of a word, so that
        # '“U.S.' is seen as the abbreviation 'U.S.'
        _re_word_start = r"[^\(\"\`{\[:;&\#\*@\)}\]\-,\u2018\u201c\u201e\xab]"

    class NewsPunkt(punkt.PunktSentenceTokenizer):
        """Punkt with news rules: initialisms, state codes, quoted abbreviations, ellipses."""

        _cache: dict[str, bool]

        def text_contains_sentbreak(self, text: str) -> bool:
            # Punkt decides each candidate from a short context ("said. The"); those
            # repeat a lot in news, so decisions are memoised (bounded).
            try:
                return self._cache[text]
            except AttributeError:
                self._cache = {}
            except KeyError:
                pass
            if len(self._cache) > 200_000:
                self._cache.clear()
            found = self._cache[text] = super().text_contains_sentbreak(text)
            return found

        def _annotate_first_pass(self, tokens):
            toks = list(super()._annotate_first_pass(tokens))
            for i, t in enumerate(toks):
                if not (t.sentbreak and t.period_final) or t.tok.endswith(".."):
                    continue
                core = t.tok[:-1].lstrip("'\u2018")  # "'U.S." as in "about 'U.S. and ..."
                if _INITIALISM_RE.match(core + "."):
                    hit = True
                elif len(core) < len(t.tok) - 1 and core.lower() in self._params.abbrev_types:
                    # "'Mr. Smith'" is an abbreviation; "'no.' Then" ends a sentence
                    hit = i + 1 < len(toks) and toks[i + 1].tok[0].isalnum()
                else:
                    last = core.lower().rsplit("-", 1)[-1]
                    hit = last in _STATE_WORDS and (
                        "-" in core
                        or (0 < i < len(toks) - 1 and toks[i - 1].tok == "(" and toks[i + 1].tok == ")")
                    )
                if hit:
                    t.sentbreak = False
                    t.abbr = True
            return toks

        def _second_pass_annotation(self, aug_tok1, aug_tok2):
            reason = super()._second_pass_annotation(aug_tok1, aug_tok2)
            # "Shelling resumed on Tuesday... Residents fled.": an ellipsis followed by
            # a capitalised word ends the sentence (Punkt only splits when the word is
            # a known sentence starter).
            if aug_tok2 is not None and aug_tok1.ellipsis and aug_tok2.first_upper:
                aug_tok1.sentbreak = True
            return reason

    return NewsLanguageVars, NewsPunkt


@lru_cache(maxsize=2)
def _sentence_tokenizer(use_nltk_data: bool = True) -> tuple[Any, str]:
    """Return ``(tokenizer, source)``; built once and cached.

    ``source`` is ``"nltk_data"`` when NLTK's trained English Punkt model was found
    (its parameters are used, plus newskit's abbreviations), else ``"builtin"``
    (untrained Punkt + newskit's abbreviations and orthographic hints).
    """
    from nltk.tokenize import punkt

    lang_vars_cls, tokenizer_cls = _punkt_classes()
    params = None
    if use_nltk_data:
        try:
            params = punkt.PunktTokenizer("english")._params  # punkt_tab (NLTK >= 3.9)
        except Exception:  # LookupError without nltk_data
            try:
                import nltk.data

                params = nltk.data.load("tokenizers/punkt/english.pickle")._params  # older installs
            except Exception:
                params = None
    source = "nltk_data" if params is not None else "builtin"
    if params is None:
        params = punkt.PunktParameters()
        # Orthographic evidence Punkt would learn from training: function words are
        # seen lower case mid-sentence and capitalised at sentence starts.
        flag = punkt._ORTHO_BEG_UC | punkt._ORTHO_MID_LC
        for word in _ortho_words():
            params.add_ortho_context(word, flag)
    params.abbrev_types |= set(ABBREVIATIONS)
    return tokenizer_cls(params, lang_vars=lang_vars_cls()), source


_PARA_RE = re.compile(r"[^\n]+")
_CLOSERS = "\"'”’»)]}"
# A sentence ended after "?", "!" or a period + closing quote/bracket, followed by a
# lower-case word, continues: '"Why?" he asked.'
_LOWER_START_RE = re.compile(r"[\"'“‘(\[]*[a-z]")


def _paragraph_sentences(tok: Any, text: str, start: int, end: int, out: list[Span]) -> None:
    para = text[start:end]
    spans: list[list[int]] = []
    if "." in para or "?" in para or "!" in para:
        try:
            raw = list(tok.span_tokenize(para))
        except Exception:  # never fail: fall back to the paragraph as one sentence
            raw = [(0, len(para))]
    else:
        raw = [(0, len(para))]
    for s, e in raw:
        # strip surrounding whitespace (Punkt keeps none, but be safe)
        while s < e and para[s].isspace():
            s += 1
        while e > s and para[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if spans and _LOWER_START_RE.match(para, s):
            prev = para[spans[-1][0] : spans[-1][1]]
            bare = prev.rstrip(_CLOSERS)
            # '"Why?" he asked.' / '(D-Wash.) said': Punkt decided without seeing the
            # lower-case word (it only looks past "?", "!" or a closing bracket/quote).
            if bare.endswith(("?", "!")) or (len(bare) < len(prev) and bare.endswith(".")):
                spans[-1][1] = e
                continue
        spans.append([s, e])
    out.extend((start + s, start + e) for s, e in spans)


def sentence_spans(text: str) -> list[Span]:
    """Split ``text`` into sentences, as character offsets.

    Punkt runs per paragraph (``"\\n"``-separated line), so a sentence never crosses a
    paragraph break. Spans are stripped of surrounding whitespace and never empty; an
    empty or blank text gives ``[]``.

    Parameters
    ----------
    text : str
        An article body (paragraphs joined by ``"\\n"``) or any string.

    Returns
    -------
    list of (int, int)
        ``(start, end)`` offsets, increasing; ``text[start:end]`` is the sentence.

    Examples
    --------
    >>> text = 'Dr. Jones met U.S. officials. "It went well," she said.\\nPrices rose 2.5% in Feb. last year.'
    >>> spans = sentence_spans(text)
    >>> spans
    [(0, 29), (30, 55), (56, 91)]
    >>> [text[s:e] for s, e in spans]
    ['Dr. Jones met U.S. officials.', '"It went well," she said.', 'Prices rose 2.5% in Feb. last year.']
    >>> sentence_spans("  \\n ")
    []
    """
    if not isinstance(text, str):
        raise TypeError(f"sentence_spans expects a str, got {type(text).__name__}")
    tok, _ = _sentence_tokenizer()
    out: list[Span] = []
    for m in _PARA_RE.finditer(text):
        s, e = m.span()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            _paragraph_sentences(tok, text, s, e, out)
    return out


def sentences(text: str) -> list[str]:
    """Return the sentences of ``text`` as strings (see :func:`sentence_spans`).

    Examples
    --------
    >>> sentences("Sen. Warren spoke. The U.N. met at 10 a.m. on Jan. 5.\\nAnother paragraph.")
    ['Sen. Warren spoke.', 'The U.N. met at 10 a.m. on Jan. 5.', 'Another paragraph.']
    """
    return [text[s:e] for s, e in sentence_spans(text)]


# --------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------

_FALLBACK_WORD_RE = re.compile(
    r"\d+(?:[.,]\d+)*%?"  # numbers: 2.5, 1,000, 40%
    r"|\w+(?:[-'’]\w+)*"  # words, hyphenated words, O'Brien
    r"|\.\.\.|…|--|—|–"  # ellipses and dashes
    r"|[^\w\s]",  # any other single symbol
    re.UNICODE,
)


_CURLY_APOSTROPHE_RE = re.compile(r"(?<=\w)\u2019(?=\w)")


_RE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.UNICODE | re.VERBOSE | re.ASCII


def _stdlib_pattern(pattern: Any) -> Any:
    """NLTK ≥ 3.9.3 wraps its own patterns in ``nltk.redos.TimedPattern`` (the third-party ``regex``
    engine plus a timeout on every call, a guard meant for caller-supplied patterns). For the
    tokenizer's fixed, library-written patterns the stdlib ``re`` compiles the same expressions and
    runs them about twice as fast; tokens are identical (checked by the tests on real copy)."""
    if isinstance(pattern, re.Pattern) or not hasattr(pattern, "pattern"):
        return pattern
    try:
        return re.compile(pattern.pattern, pattern.flags & _RE_FLAGS)  # drop regex-only flags (VERSION0)
    except re.error:  # a construct only ``regex`` knows: keep NLTK's pattern
        return pattern


@lru_cache(maxsize=1)
def _word_tokenizer() -> Any:
    from nltk.tokenize import NLTKWordTokenizer

    class _Tokenizer(NLTKWordTokenizer):
        pass

    for name in ("STARTING_QUOTES", "ENDING_QUOTES", "PUNCTUATION", "CONVERT_PARENTHESES"):
        rules = getattr(NLTKWordTokenizer, name, None)
        if isinstance(rules, list):
            setattr(_Tokenizer, name, [(_stdlib_pattern(p), sub) for p, sub in rules])
    for name in ("PARENS_BRACKETS", "DOUBLE_DASHES"):
        rule = getattr(NLTKWordTokenizer, name, None)
        if isinstance(rule, tuple) and len(rule) == 2:
            setattr(_Tokenizer, name, (_stdlib_pattern(rule[0]), rule[1]))
    return _Tokenizer()


def _regex_spans(text: str, start: int, end: int) -> list[Span]:
    return [m.span() for m in _FALLBACK_WORD_RE.finditer(text, start, end)]


def _sentence_word_spans(text: str, start: int, end: int) -> list[Span]:
    chunk = text[start:end]
    if "\u2019" in chunk:  # curly apostrophe as in "don’t": tokenize it like "'" (same length)
        chunk = _CURLY_APOSTROPHE_RE.sub("'", chunk)
    try:
        raw = list(_word_tokenizer().span_tokenize(chunk))
    except Exception:  # NLTK raises on some quote/text combinations
        return _regex_spans(text, start, end)
    spans: list[Span] = []
    last = 0
    for s, e in raw:
        if not (last <= s < e <= len(chunk)):
            return _regex_spans(text, start, end)
        spans.append((start + s, start + e))
        last = e
    return spans


def word_spans(text: str) -> list[Span]:
    """Word tokens of ``text`` as character offsets.

    Uses NLTK's ``NLTKWordTokenizer`` (Treebank conventions: ``"don't"`` → ``do`` +
    ``n't``, punctuation as tokens) sentence by sentence; a sentence NLTK cannot align
    is tokenized with a regular expression instead. Never raises on a ``str``.

    Parameters
    ----------
    text : str
        Any string.

    Returns
    -------
    list of (int, int)
        Increasing, non-overlapping spans with ``0 <= start < end <= len(text)``.

    Examples
    --------
    >>> text = 'She said "we can\\'t stay."'
    >>> [text[s:e] for s, e in word_spans(text)]
    ['She', 'said', '"', 'we', 'ca', "n't", 'stay', '.', '"']
    """
    if not isinstance(text, str):
        raise TypeError(f"word_spans expects a str, got {type(text).__name__}")
    out: list[Span] = []
    for s, e in sentence_spans(text):
        out.extend(_sentence_word_spans(text, s, e))
    return out


def _normal(token: str) -> str:
    return token.lower().replace("’", "'")


def _is_punct(token: str) -> bool:
    return not any(ch.isalnum() for ch in token)


def tokenize(
    text: str,
    *,
    lower: bool = False,
    drop_stopwords: bool = False,
    drop_punct: bool = False,
) -> list[str]:
    """Word tokens of ``text`` (see :func:`word_spans`), for notebooks.

    Parameters
    ----------
    text : str
        Any string.
    lower : bool, default False
        Lower-case the tokens.
    drop_stopwords : bool, default False
        Drop tokens in :data:`STOPWORDS` (case-insensitive). Negations (:data:`NEGATIONS`:
        ``not``, ``no``, ``n't`` ...) are kept.
    drop_punct : bool, default False
        Drop tokens without any letter or digit.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("The minister did not resign, officials said.")
    ['The', 'minister', 'did', 'not', 'resign', ',', 'officials', 'said', '.']
    >>> tokenize("The minister did not resign, officials said.", lower=True,
    ...          drop_stopwords=True, drop_punct=True)
    ['minister', 'not', 'resign', 'officials', 'said']
    """
    tokens = [text[s:e] for s, e in word_spans(text)]
    if drop_punct:
        tokens = [t for t in tokens if not _is_punct(t)]
    if drop_stopwords:
        stop = _stopwords()
        tokens = [t for t in tokens if _normal(t) not in stop]
    if lower:
        tokens = [t.lower() for t in tokens]
    return tokens


# --------------------------------------------------------------------------------------
# Corpus helpers
# --------------------------------------------------------------------------------------


def _iter_texts(texts: Iterable[str] | str) -> Iterable[str]:
    if isinstance(texts, str):
        texts = [texts]
    for t in texts:
        if isinstance(t, str) and t:
            yield t


def _runs(texts: Iterable[str] | str, *, lower: bool) -> Iterable[list[str]]:
    """Token runs: within one sentence, between punctuation tokens."""
    for text in _iter_texts(texts):
        for s, e in sentence_spans(text):
            run: list[str] = []
            for ws, we in _sentence_word_spans(text, s, e):
                tok = text[ws:we]
                if _is_punct(tok):
                    if run:
                        yield run
                    run = []
                else:
                    run.append(tok.lower() if lower else tok)
            if run:
                yield run


def ngrams(
    texts: Iterable[str] | str,
    *,
    n: int = 2,
    lower: bool = True,
    drop_stopwords: bool = True,
    top: int | None = 20,
) -> "pd.DataFrame":
    """Most frequent word n-grams in a corpus.

    N-grams are formed within a sentence and never across punctuation
    (``"Kyiv, Ukraine"`` is not a bigram). With ``drop_stopwords`` an n-gram is kept
    only when its first and last words are not stop words, so ``"secretary of state"``
    survives as a trigram but ``"of the"`` does not; negations count as content words.

    Parameters
    ----------
    texts : iterable of str or pandas.Series
        The documents (non-strings and empty strings are skipped).
    n : int, default 2
        N-gram length (1 gives word frequencies).
    lower : bool, default True
        Count case-insensitively (n-grams are reported lower case).
    drop_stopwords : bool, default True
        See above.
    top : int or None, default 20
        Number of rows to return (``None``: all).

    Returns
    -------
    pandas.DataFrame
        Columns ``ngram`` (words joined by a space) and ``count``, most frequent first
        (ties in first-seen order).

    Examples
    --------
    >>> docs = ["The prime minister spoke. The prime minister left.", "A prime minister, again."]
    >>> ngrams(docs, n=2, top=2)
                ngram  count
    0  prime minister      3
    1  minister spoke      1
    """
    import pandas as pd

    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    counts: Counter[tuple[str, ...]] = Counter()
    for run in _runs(texts, lower=lower):
        for i in range(len(run) - n + 1):
            gram = tuple(run[i : i + n])
            if drop_stopwords and (_normal(gram[0]) in _stopwords() or _normal(gram[-1]) in _stopwords()):
                continue
            counts[gram] += 1
    rows = counts.most_common(top)
    return pd.DataFrame(
        {"ngram": [" ".join(g) for g, _ in rows], "count": [c for _, c in rows]},
        columns=["ngram", "count"],
    ).astype({"count": "int64"})


_MEASURES = ("pmi", "likelihood_ratio", "chi_sq", "student_t", "raw_freq", "poisson_stirling", "jaccard")


def collocations(
    texts: Iterable[str] | str,
    *,
    n: int = 2,
    measure: str = "pmi",
    min_freq: int = 3,
    lower: bool = True,
    drop_stopwords: bool = True,
    top: int | None = 20,
) -> "pd.DataFrame":
    """Collocations (word pairs or triples that occur together more than by chance).

    Uses ``nltk.collocations.BigramCollocationFinder`` / ``TrigramCollocationFinder``
    with each punctuation-free run of a sentence as a document, so collocations never
    cross sentences or punctuation.

    Parameters
    ----------
    texts : iterable of str or pandas.Series
        The documents.
    n : {2, 3}, default 2
        Bigrams or trigrams.
    measure : str, default "pmi"
        An NLTK association measure: ``"pmi"``, ``"likelihood_ratio"``, ``"chi_sq"``,
        ``"student_t"``, ``"raw_freq"``, ``"poisson_stirling"``, ``"jaccard"``.
    min_freq : int, default 3
        Ignore n-grams seen fewer times (PMI overrates rare pairs).
    lower : bool, default True
        Case-insensitive.
    drop_stopwords : bool, default True
        Ignore n-grams containing a stop word (negations are kept).
    top : int or None, default 20
        Number of rows (``None``: all).

    Returns
    -------
    pandas.DataFrame
        Columns ``ngram`` (words joined by a space), ``score``, ``count``; best first.

    Examples
    --------
    >>> docs = ["Peace talks resumed in Geneva. Human rights groups welcomed the peace talks."] * 3
    >>> table = collocations(docs, measure="likelihood_ratio", min_freq=3)
    >>> table.loc[0, "ngram"], int(table.loc[0, "count"])
    ('peace talks', 6)
    """
    import pandas as pd
    from nltk.collocations import (
        BigramAssocMeasures,
        BigramCollocationFinder,
        TrigramAssocMeasures,
        TrigramCollocationFinder,
    )

    if n not in (2, 3):
        raise ValueError(f"n must be 2 or 3, got {n}")
    if measure not in _MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {', '.join(_MEASURES)}")
    runs = [r for r in _runs(texts, lower=lower) if len(r) >= n]
    finder_cls, measures = (
        (BigramCollocationFinder, BigramAssocMeasures) if n == 2 else (TrigramCollocationFinder, TrigramAssocMeasures)
    )
    finder = finder_cls.from_documents(runs)
    if min_freq > 1:
        finder.apply_freq_filter(min_freq)
    if drop_stopwords:
        stop = _stopwords()
        finder.apply_word_filter(lambda w: _normal(w) in stop)
    try:
        scored = finder.score_ngrams(getattr(measures, measure))
    except ZeroDivisionError:  # empty corpus
        scored = []
    if top is not None:
        scored = scored[:top]
    return pd.DataFrame(
        {
            "ngram": [" ".join(g) for g, _ in scored],
            "score": [float(s) for _, s in scored],
            "count": [int(finder.ngram_fd[g]) for g, _ in scored],
        },
        columns=["ngram", "score", "count"],
    )

"""Load news articles into one tidy table, accounting for every input file.

The native format is one UTF-8 file per article::

    line 1   title
    line 2   publication date, YYYYMMDD
    line 3   URL
    line 4+  body, one paragraph per line (blank lines between paragraphs are fine)

:func:`load_corpus` also reads folders (recursively), globs, lists of paths, ``.zip`` and
``.tar.gz`` archives of native files, and CSV / JSONL / Parquet tables with ``title``, ``date``,
``url`` and ``text`` columns. Every input is either loaded or *rejected* with its path, line and
reason; nothing is dropped silently.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text(
...     "Talks resume\\n20230105\\nhttps://www.example.org/a\\nFirst paragraph.\\n\\nSecond one.\\n")
>>> _ = (folder / "b.txt").write_text("No date here\\n2023-01-05\\nhttps://example.org/b\\nBody.\\n")
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     df = load_corpus(folder)
>>> df[["title", "source", "n_paragraphs", "n_words"]]
          title       source  n_paragraphs  n_words
0  Talks resume  example.org             2        4
>>> rejects(df)[["line", "reason"]]
   line        reason
0     2  invalid date
"""
from __future__ import annotations

import codecs
import csv
import errno
import glob as _glob
import hashlib
import json
import lzma
import os
import re
import stat
import tarfile
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date as _date
from datetime import datetime as _datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

import numpy as np
import pandas as pd
from pandas.errors import OutOfBoundsDatetime

from newskit._inputs import INPUT_FIELDS, parse_columns
from newskit._options import date_mask

__all__ = [
    "load_corpus",
    "rejects",
    "summary",
    "filter_dates",
    "outlet_name",
    "parse_columns",
    "check_columns",
    "INPUT_FIELDS",
    "load_outlet_names",
    "OutletNamesError",
    "Reject",
    "CorpusError",
    "CorpusWarning",
    "COLUMNS",
    "to_parquet",
    "skipped_note",
]

#: Columns of the articles table, in order.
COLUMNS = ["article_id", "title", "date", "url", "source", "outlet", "text",
           "n_paragraphs", "n_words", "path"]

#: Columns a table must have (after mapping); a table without one is rejected as a whole.
REQUIRED_FIELDS = ("title", "text")
#: Common names of the input fields, used to suggest a ``--columns`` mapping.
_SYNONYMS = {
    "title": ("headline", "heading", "head", "name", "subject"),
    "date": ("published", "publication_date", "pub_date", "pubdate", "published_at", "datetime",
             "timestamp", "time", "day"),
    "url": ("link", "href", "uri", "permalink", "address"),
    "text": ("body", "content", "article", "article_text", "full_text", "fulltext", "story", "maintext"),
    "outlet": ("publisher", "publication", "source_name", "newspaper", "site", "media"),
}

TABULAR_SUFFIXES = (".csv", ".jsonl", ".ndjson", ".parquet", ".pq")
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")

#: Display names for outlets, by host (without ``www.``). Unknown hosts are shown as they are.
OUTLETS: dict[str, str] = {
    "bbc.com": "BBC News", "bbc.co.uk": "BBC News",
    "rt.com": "RT",
    "huffpost.com": "HuffPost", "huffingtonpost.com": "HuffPost",
    "abcnews.go.com": "ABC News",
    "nbcnews.com": "NBC News",
    "dailymail.co.uk": "Daily Mail (AP wire copies)",
    "apnews.com": "Associated Press",
    "reuters.com": "Reuters",
    "theguardian.com": "The Guardian",
    "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post",
    "cnn.com": "CNN", "edition.cnn.com": "CNN",
    "aljazeera.com": "Al Jazeera",
    "itv.com": "ITV News",
    "foxnews.com": "Fox News",
    "kyivindependent.com": "The Kyiv Independent",
    "tass.com": "TASS",
    "en.kremlin.ru": "President of Russia (Kremlin)", "kremlin.ru": "President of Russia (Kremlin)",
    # the fictional demo corpus (newskit.datasets)
    "northstar-news.example": "Northstar News",
    "dailymeridian.example": "The Daily Meridian",
    "coastline-herald.example": "Coastline Herald",
    "ledgerwire.example": "Ledger Wire",
}

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_DATE8 = re.compile(r"\d{8}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?"
                       r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
_RFC2822 = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{2}:\d{2}(?::\d{2})?"
                      r"\s*(?:[+-]\d{4}|[A-Za-z]{1,5})?")
_SURROGATE = re.compile("[\udc80-\udcff]")
_URL_BAD_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Largest native file or archive member read, in bytes (larger ones are rejected unread).
MAX_FILE_BYTES = 64 * 2**20
#: Largest CSV / JSONL field, in characters (a longer one rejects its row only).
MAX_FIELD_CHARS = 64 * 2**20
#: Largest compression ratio of an archive member once it has inflated past ``RATIO_FLOOR`` bytes:
#: news text deflates about 3:1, a zip bomb 1000:1.
MAX_RATIO = 100
RATIO_FLOOR = 2**20
#: Publication dates newskit can hold (``datetime64[ns]``); others are rejected as out of range.
DATE_MIN, DATE_MAX = pd.Timestamp("1678-01-01"), pd.Timestamp("2261-12-31")

_ZIP_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_ARCHIVE_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, OSError, EOFError,
                   zlib.error, lzma.LZMAError, ValueError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class Reject:
    """One input that was not loaded: where it is and why.

    ``path`` is the file (``archive!member`` for an archive member), ``line`` the line (or table
    row line) at fault when there is one. ``detail`` explains the reason in newskit's own words and
    never quotes the rejected content.
    """

    path: str
    line: int | None
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


class CorpusError(ValueError):
    r"""Raised by ``load_corpus(..., strict=True)``: lists every rejected input.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Title\nnot a date\nhttps://x.org/a\nBody.\n", encoding="utf-8")
    >>> try:
    ...     load_corpus(d, strict=True)
    ... except CorpusError as err:
    ...     print(len(err.rejects), err.rejects[0].line)
    1 2
    """

    def __init__(self, rejected: list[Reject], total: int):
        self.rejects = list(rejected)
        lines = "\n".join(f"  {r}" for r in rejected)
        super().__init__(f"{len(rejected)} of {total} inputs rejected:\n{lines}")


class CorpusWarning(UserWarning):
    """Some inputs were rejected (lenient mode)."""


# ---------------------------------------------------------------------------------------------
# helpers


def outlet_name(source: str, names: Mapping[str, str] | None = None) -> str:
    """Display name for an outlet host: ``names`` (e.g. from :func:`load_outlet_names`) first, then
    the built-in :data:`OUTLETS`; an unknown host is shown as it is.

    >>> outlet_name("abcnews.go.com"), outlet_name("unknown.example.net")
    ('ABC News', 'unknown.example.net')
    >>> outlet_name("en.kremlin.ru", {"en.kremlin.ru": "Kremlin (President of Russia)"})
    'Kremlin (President of Russia)'
    """
    if names and source in names:
        return names[source]
    return OUTLETS.get(source, source)


# ---------------------------------------------------------------------------------------------
# column mapping (``columns=`` / ``--columns``)


def check_columns(columns: Mapping[str, str] | None) -> dict[str, str]:
    """A column mapping (table column → newskit column), checked: every target is one of
    :data:`INPUT_FIELDS` and names no more than one column of the same table.

    Raises
    ------
    ValueError
        A target that is not a newskit column, or a key or value that is not text.

    >>> check_columns({"headline": "title", "body": "text"})
    {'headline': 'title', 'body': 'text'}
    >>> check_columns({"headline": "titel"})
    Traceback (most recent call last):
    ...
    ValueError: columns: 'titel' (for column 'headline') is not a newskit column; use one of title, date, url, text, outlet
    """
    if columns is None:
        return {}
    if isinstance(columns, str):
        raise ValueError("columns: give a mapping such as {'headline': 'title'} "
                         "(parse_columns('title=headline') reads the command-line form)")
    if not isinstance(columns, Mapping):
        raise ValueError(f"columns: a mapping of table column → newskit column, not a {type(columns).__name__}")
    out: dict[str, str] = {}
    for key, value in columns.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"columns: {key!r} is not a column name")
        if value not in INPUT_FIELDS:
            raise ValueError(f"columns: {value!r} (for column {key!r}) is not a newskit column; "
                             f"use one of {', '.join(INPUT_FIELDS)}")
        out[key] = value
    return out


def _suggest(found: Sequence[str], required: Sequence[str], optional: Sequence[str]) -> str:
    """``title=headline,text=body``: a ``--columns`` value from common names among ``found``."""
    lower = {str(c).lower(): str(c) for c in found}
    pairs = []
    for field in (f for f in INPUT_FIELDS if f in required or f in optional):
        guess = next((lower[s] for s in _SYNONYMS.get(field, ()) if s in lower), None)
        if guess is not None:
            pairs.append(f"{field}={_safe_name(guess)}")
        elif field in required:
            pairs.append(f"{field}=COLUMN")
    return ",".join(pairs)


_NAME_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                          "\ud800-\udfff]")


def _safe_name(column: Any) -> str:
    """A column name for a message: controls and undecodable bytes shown as '?', at most 40 characters."""
    name = _NAME_UNSAFE.sub("?", str(column))
    return name if len(name) <= 40 else name[:39] + "…"


def _short_names(found: Sequence[str], limit: int = 20) -> str:
    names = [_safe_name(c) for c in found]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more if names else "(none)"


def _column_problem(found: Sequence[str], mapping: Mapping[str, str]) -> tuple[str, str] | None:
    """Why a table with these columns cannot be read, as (reason, detail), or None."""
    mapped: dict[str, list[str]] = {}
    for column in map(str, found):
        mapped.setdefault(mapping.get(column, column), []).append(column)
    for field in INPUT_FIELDS:
        if len(mapped.get(field, [])) > 1:
            both = " and ".join(_safe_name(c) for c in mapped[field])
            return ("column conflict", f"columns {both} both give {field}; map only one")
    missing = [f for f in REQUIRED_FIELDS if f not in mapped]
    if not missing:
        return None
    optional = [f for f in ("date", "url") if f not in mapped]
    also = f" (nor {' or '.join(optional)}, which {'are' if len(optional) > 1 else 'is'} optional)" \
        if optional else ""
    return ("missing column",
            f"no {' or '.join(missing)} column{also}; columns found: {_short_names(found)}; map yours with "
            f"--columns {_suggest(found, missing, optional)} (or load_corpus(columns={{...}}))")


# ---------------------------------------------------------------------------------------------
# outlet display names (``outlet_names=`` / ``--outlet-names``)

#: Largest outlet-names file read, in bytes.
MAX_OUTLET_FILE_BYTES = 2**20
_HOST = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*")


class OutletNamesError(ValueError):
    """A malformed outlet-names file; the message names the file, the line and the reason."""


def _host_key(raw: str) -> str | None:
    host = raw.strip().lower().rstrip(".")
    host = host[4:] if host.startswith("www.") else host
    return host if _HOST.fullmatch(host) else None


def load_outlet_names(source: str | os.PathLike | Mapping[str, str] | None) -> dict[str, str]:
    """Outlet display names by host, from a YAML file (``host: Display name`` per line) or a mapping.

    Hosts are compared as :func:`load_corpus` stores them in ``source``: lower case, without
    ``www.``. The names extend and override the built-in :data:`OUTLETS`.

    Raises
    ------
    OutletNamesError
        Naming the file, the line and the reason: missing or unreadable file, not UTF-8, YAML syntax
        error, not a mapping, a key that is a URL or not a host, an empty or non-text name, a host
        given twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "outlets.yml"
    >>> _ = path.write_text("en.kremlin.ru: Kremlin (President of Russia)\\nwww.kyivpost.com: Kyiv Post\\n")
    >>> load_outlet_names(path)
    {'en.kremlin.ru': 'Kremlin (President of Russia)', 'kyivpost.com': 'Kyiv Post'}
    >>> _ = path.write_text("en.kremlin.ru: Kremlin\\nhttps://tass.com/: TASS\\n")
    >>> load_outlet_names(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    newskit.corpus.OutletNamesError: .../outlets.yml:2: 'https://tass.com/' is a URL; give the host alone (tass.com)
    """
    if source is None:
        return {}
    if isinstance(source, Mapping):
        out: dict[str, str] = {}
        for key, value in source.items():
            host = _host_key(key) if isinstance(key, str) else None
            if host is None:
                raise OutletNamesError(f"outlet_names: {key!r} is not a host such as en.kremlin.ru")
            if not isinstance(value, str) or not value.strip():
                raise OutletNamesError(f"outlet_names: the name for {host} must be non-empty text")
            out[host] = value.strip()
        return out
    if not isinstance(source, (str, os.PathLike)):
        raise OutletNamesError(f"outlet_names: a YAML file or a mapping, not a {type(source).__name__}")
    return _read_outlet_file(Path(source).expanduser())


def _read_outlet_file(path: Path) -> dict[str, str]:
    import yaml

    if not path.exists():
        raise OutletNamesError(f"{path}: outlet-names file not found")
    if not path.is_file():
        raise OutletNamesError(f"{path}: not a regular file")
    try:
        size = path.stat().st_size
        if size > MAX_OUTLET_FILE_BYTES:
            raise OutletNamesError(f"{path}: {size:,} bytes; an outlet-names file is at most "
                                   f"{MAX_OUTLET_FILE_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        raise OutletNamesError(f"{path}: cannot read: {exc.strerror or type(exc).__name__}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OutletNamesError(f"{path}:{_line_of(data, exc.start)}: not UTF-8 (byte {exc.start})") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # where the broken construct begins
        line = f":{mark.line + 1}" if mark is not None else ""
        raise OutletNamesError(f"{path}{line}: YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise OutletNamesError(f"{path}: YAML error: {type(exc).__name__}") from None
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode):
        raise OutletNamesError(f"{path}:{root.start_mark.line + 1}: expected lines 'host: Display name' "
                               "(a YAML mapping)")
    out: dict[str, str] = {}
    lines: dict[str, int] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        where = f"{path}:{line}"
        if not isinstance(key, yaml.ScalarNode) or not key.value.strip():
            raise OutletNamesError(f"{where}: the key must be a host such as en.kremlin.ru")
        raw = key.value
        if "://" in raw or "/" in raw:
            guess = _host(raw if "://" in raw else f"https://{raw}")
            hint = f" ({guess})" if guess else ""
            raise OutletNamesError(f"{where}: {raw!r} is a URL; give the host alone{hint}")
        host = _host_key(raw)
        if host is None:
            raise OutletNamesError(f"{where}: {raw!r} is not a host such as en.kremlin.ru")
        if not isinstance(value, yaml.ScalarNode):
            raise OutletNamesError(f"{where}: the name for {host} must be text, not a list or a mapping")
        name = value.value.strip()
        if not name or value.tag == "tag:yaml.org,2002:null":
            raise OutletNamesError(f"{where}: no display name for {host}")
        if host in out:
            raise OutletNamesError(f"{where}: {host} is given twice (first on line {lines[host]})")
        out[host], lines[host] = name, line
    return out


def _host(url: str) -> str:
    try:
        host = (urlparse(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _article_id(url: str, title: str, text: str) -> str:
    key = url if url else f"{title}\n{text}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _url_problem(value: str) -> str | None:
    """Why ``value`` is not a usable http(s) URL (None when it is one). Never quotes the value."""
    if _URL_BAD_CHARS.search(value):
        return "contains whitespace or control characters"
    try:
        parsed = urlparse(value)
        host = parsed.hostname
        parsed.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return "cannot be parsed as a URL"
    if parsed.scheme not in {"http", "https"}:
        return "not an http(s) URL"
    if not host:
        return "has no host"
    return None


def _looks_like_url(value: str) -> bool:
    return _url_problem(value) is None


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _in_range(stamp: pd.Timestamp, line: int | None) -> pd.Timestamp:
    if not DATE_MIN <= stamp < DATE_MAX + pd.Timedelta(days=1):
        raise _Rejected(line, "date out of range",
                        f"newskit holds dates from {DATE_MIN.date()} to {DATE_MAX.date()}")
    return pd.Timestamp(stamp).as_unit("ns")


@dataclass
class _Record:
    path: str
    title: str
    date: pd.Timestamp | None
    url: str
    paragraphs: list[str]
    url_line: int | None
    body_line: int | None
    outlet: str = ""  #: from an ``outlet`` column; empty: the display name of the URL's host


class _Rejected(Exception):
    def __init__(self, line: int | None, reason: str, detail: str = ""):
        super().__init__(reason)
        self.line, self.reason, self.detail = line, reason, detail


def _parse_yyyymmdd(value: str, line: int | None) -> pd.Timestamp:
    if not value:
        raise _Rejected(line, "missing date", "the date is empty; expected YYYYMMDD")
    if not _DATE8.fullmatch(value):
        raise _Rejected(line, "invalid date", f"{len(value)} characters that are not 8 digits YYYYMMDD")
    try:
        day = _date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise _Rejected(line, "impossible date", f"not a calendar day: {exc}") from None
    if not DATE_MIN.year <= day.year <= DATE_MAX.year:
        raise _Rejected(line, "date out of range",
                        f"newskit holds dates from {DATE_MIN.date()} to {DATE_MAX.date()}")
    return pd.Timestamp(day)


def _looks_utf16(data: bytes) -> bool:
    head = data[:400]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.6


def _decode(data: bytes) -> str:
    """Bytes of a native file as text: UTF-8 (BOM optional), or UTF-16/32 when a BOM says so."""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                line = data[:exc.start].decode(encoding, errors="replace").count("\n") + 1
                raise _Rejected(line, "undecodable bytes",
                                f"invalid {encoding.upper()} at byte {exc.start}") from None
            nul = text.find("\x00")
            if nul >= 0:
                raise _Rejected(text.count("\n", 0, nul) + 1, "NUL byte",
                                f"a NUL character at character {nul}: not a text file")
            return text
    nul = data.find(b"\x00")
    if nul >= 0:
        if _looks_utf16(data):
            raise _Rejected(None, "undecodable bytes",
                            "looks like UTF-16 without a byte-order mark; save the file as UTF-8")
        raise _Rejected(_line_of(data, nul), "NUL byte", f"a NUL byte at byte {nul}: not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Rejected(_line_of(data, exc.start), "undecodable bytes",
                        f"not UTF-8 at byte {exc.start}") from None


def _parse_native(label: str, data: bytes) -> _Record:
    text = _decode(data)
    # Universal newlines: CRLF and CR are line endings, not content.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if text.endswith(("\n", "\r")):
        lines.pop()
    if not lines or not lines[0].strip():
        raise _Rejected(1, "missing title", "line 1 is empty" if lines else "empty file")
    title = lines[0].strip()
    if len(lines) < 2:
        raise _Rejected(2, "missing date", "file ends after the title")
    date = _parse_yyyymmdd(lines[1].strip(), 2)
    if len(lines) < 3 or not lines[2].strip():
        raise _Rejected(3, "missing URL line", "file ends after the date" if len(lines) < 3
                        else "line 3 is empty")
    url = lines[2].strip()
    if not url.lower().startswith(("http://", "https://")):
        raise _Rejected(3, "missing URL line", "line 3 is not an http(s) URL")
    problem = _url_problem(url)
    if problem:
        raise _Rejected(3, "invalid URL", f"line 3 {problem}")
    paragraphs, body_line = [], None
    for number, line in enumerate(lines[3:], start=4):
        line = line.strip()
        if line:
            paragraphs.append(line)
            body_line = body_line or number
    if not paragraphs:
        raise _Rejected(4, "empty body", "no text after the URL line")
    return _Record(label, title, date, url, paragraphs, 3, body_line)


# ---------------------------------------------------------------------------------------------
# inputs: walking folders and globs (every entry is loaded, rejected or listed as skipped)


class _Skipped:
    """Files found but not read as articles (other extensions, hidden files): counted, with examples."""

    def __init__(self) -> None:
        self.count = 0
        self.kinds: Counter[str] = Counter()
        self.examples: list[str] = []

    def add(self, label: str, kind: str) -> None:
        self.count += 1
        self.kinds[kind] += 1
        if len(self.examples) < 5:
            self.examples.append(label)

    def add_name(self, label: str, name: str) -> None:
        self.add(label, "hidden" if name.startswith(".") else Path(name).suffix.lower() or "no extension")

    def as_dict(self) -> dict:
        return {"count": self.count, "kinds": dict(self.kinds.most_common()), "examples": self.examples}


def _is_input(path: Path | str) -> bool:
    name = Path(path).name.lower()
    if name.startswith("."):
        return False
    return name.endswith(".txt") or name.endswith(TABULAR_SUFFIXES) or name.endswith(ARCHIVE_SUFFIXES)


def _inside(real: str, root: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _entry(path: Path, *, root: str | None, follow: bool, skipped: _Skipped, seen: set[str],
           given: bool) -> Iterator[Path | Reject]:
    """One folder entry (or a path the user gave): a file to read, rejects, or folder contents."""
    label = str(path)
    if not given and path.name.startswith("."):
        skipped.add(label, "hidden")  # hidden files and folders (.git, .ipynb_checkpoints) are not inputs
        return
    is_link = path.is_symlink()
    try:
        info = os.stat(path)  # follows links; never opens the file (a FIFO cannot block here)
    except OSError as exc:
        if is_link and exc.errno == errno.ELOOP:
            yield Reject(label, None, "symlink loop", "the link points back to itself")
        elif is_link and exc.errno in (errno.ENOENT, errno.ENOTDIR):
            yield Reject(label, None, "broken symlink", "the link target does not exist")
        else:
            yield Reject(label, None, "unreadable file", exc.strerror or type(exc).__name__)
        return
    if is_link and root is not None and not follow and not _inside(os.path.realpath(path), root):
        yield Reject(label, None, "symlink leaves the corpus folder",
                     "not followed; pass follow_symlinks=True to follow links")
        return
    if stat.S_ISDIR(info.st_mode):
        real = os.path.realpath(path)
        if real in seen:
            if _inside(os.path.realpath(path.parent), real):
                yield Reject(label, None, "symlink loop", "the link leads back to a folder above it")
            else:
                yield Reject(label, None, "folder already read", "reached again through a symbolic link")
            return
        seen.add(real)
        if path.name.lower().endswith(".txt"):
            yield Reject(label, None, "not a regular file",
                         "a folder named like an article file; the files inside it are read")
        yield from _walk(path, root=root if root is not None else real, follow=follow,
                         skipped=skipped, seen=seen)
        return
    if not stat.S_ISREG(info.st_mode):
        yield Reject(label, None, "not a regular file", f"{_special_kind(info.st_mode)}; not opened")
        return
    if given or _is_input(path):
        yield path
    else:
        skipped.add_name(label, path.name)


def _walk(folder: Path, *, root: str, follow: bool, skipped: _Skipped, seen: set[str]
          ) -> Iterator[Path | Reject]:
    try:
        with os.scandir(folder) as handle:
            names = sorted(entry.name for entry in handle)
    except OSError as exc:
        yield Reject(str(folder), None, "unreadable folder", exc.strerror or type(exc).__name__)
        return
    for name in names:
        yield from _entry(folder / name, root=root, follow=follow, skipped=skipped, seen=seen, given=False)


def _glob_base(pattern: str) -> str:
    head = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    base = head if head.endswith(os.sep) else os.path.dirname(head)
    return os.path.realpath(base or ".")


def _expand(source: Any, *, follow: bool, skipped: _Skipped) -> Iterator[Path | Reject]:
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        path = Path(text).expanduser()
        seen: set[str] = set()
        if os.path.lexists(path):
            yield from _entry(path, root=None, follow=follow, skipped=skipped, seen=seen, given=True)
        elif any(ch in text for ch in "*?["):
            matches = sorted(_glob.glob(str(path), recursive=True))
            if not matches:
                yield Reject(str(path), None, "not found", "no file matches the glob")
            base = _glob_base(str(path))
            for match in matches:
                yield from _entry(Path(match), root=base, follow=follow, skipped=skipped, seen=seen,
                                  given=True)
        else:
            yield Reject(str(path), None, "not found", "no such file, folder or glob match")
    elif isinstance(source, Iterable):
        for item in source:
            yield from _expand(item, follow=follow, skipped=skipped)
    else:
        raise TypeError(f"cannot load articles from {type(source).__name__}: give a path, glob, "
                        "list of paths or a DataFrame")


# ---------------------------------------------------------------------------------------------
# reading files and archive members with limits


def _read_limited(handle: IO[bytes], *, compressed: int | None = None) -> bytes:
    """Read at most ``MAX_FILE_BYTES`` (and, for a compressed member, at most ``MAX_RATIO`` times its
    compressed size once past ``RATIO_FLOOR``), raising :class:`_Rejected` instead of inflating more."""
    chunks, total = [], 0
    while True:
        chunk = handle.read(2**20)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise _Rejected(None, "file too large", f"over {MAX_FILE_BYTES:,} bytes; not read further")
        if compressed is not None and total > RATIO_FLOOR and total > MAX_RATIO * max(compressed, 1):
            raise _Rejected(None, "compression ratio too high",
                            f"inflates over {MAX_RATIO}:1 (a zip bomb?); not read further")
        chunks.append(chunk)


def _native_file(path: Path) -> _Record | Reject:
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Reject(label, None, "file too large", f"{size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
        with open(path, "rb") as handle:
            data = _read_limited(handle)
        return _parse_native(label, data)
    except _Rejected as rej:
        return Reject(label, rej.line, rej.reason, rej.detail)
    except OSError as exc:
        return Reject(label, None, "unreadable file", exc.strerror or type(exc).__name__)


def _member(label: str, read) -> _Record | Reject:
    try:
        return _parse_native(label, read())
    except _Rejected as rej:
        return Reject(label, rej.line, rej.reason, rej.detail)
    except zipfile.BadZipFile as exc:
        return Reject(label, None, "corrupt archive member",
                      "CRC check failed" if "CRC" in str(exc) else "bad compressed data")
    except _ARCHIVE_ERRORS as exc:
        return Reject(label, None, "corrupt archive member", f"{type(exc).__name__} while inflating")


def _zip_records(path: Path, skipped: _Skipped) -> Iterator[_Record | Reject]:
    with zipfile.ZipFile(path) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir():
                continue
            label = f"{path}!{info.filename}"
            name = Path(info.filename).name
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                yield Reject(label, None, "link member", "links inside archives are not followed")
            elif name.startswith(".") or not name.lower().endswith(".txt"):
                skipped.add_name(label, name)
            elif info.flag_bits & 0x1:
                yield Reject(label, None, "encrypted archive member", "newskit does not decrypt archives")
            elif info.compress_type not in _ZIP_METHODS:
                yield Reject(label, None, "unsupported compression",
                             f"zip compression method {info.compress_type}; use deflate")
            elif info.file_size > MAX_FILE_BYTES:
                yield Reject(label, None, "file too large",
                             f"{info.file_size:,} bytes declared; the limit is {MAX_FILE_BYTES:,}")
            else:
                def read(info=info) -> bytes:
                    with zf.open(info) as handle:
                        return _read_limited(handle, compressed=info.compress_size)
                yield _member(label, read)


def _tar_records(path: Path, skipped: _Skipped) -> Iterator[_Record | Reject]:
    with tarfile.open(path) as tf:
        members, broken = [], None
        try:
            for member in tf:
                members.append(member)
        except _ARCHIVE_ERRORS as exc:
            broken = Reject(str(path), None, "unreadable archive",
                            f"{type(exc).__name__} after {len(members)} members; the rest is not read")
        for member in sorted(members, key=lambda m: m.name):
            if member.isdir():
                continue
            label = f"{path}!{member.name}"
            name = Path(member.name).name
            if member.issym() or member.islnk():
                yield Reject(label, None, "link member", "links inside archives are not followed")
            elif not member.isfile():
                yield Reject(label, None, "not a regular file", "a device or FIFO member; not read")
            elif name.startswith(".") or not name.lower().endswith(".txt"):
                skipped.add_name(label, name)
            elif member.size > MAX_FILE_BYTES:
                yield Reject(label, None, "file too large",
                             f"{member.size:,} bytes; the limit is {MAX_FILE_BYTES:,}")
            else:
                def read(member=member) -> bytes:
                    handle = tf.extractfile(member)
                    return _read_limited(handle) if handle else b""
                yield _member(label, read)
        if broken is not None:
            yield broken


def _archive_records(path: Path, skipped: _Skipped) -> Iterator[_Record | Reject]:
    reader = _zip_records if path.name.lower().endswith(".zip") else _tar_records
    produced = 0
    try:
        for item in reader(path, skipped):
            produced += 1
            yield item
    except _ARCHIVE_ERRORS as exc:
        after = f" after {produced} members" if produced else ""
        yield Reject(str(path), None, "unreadable archive", f"{type(exc).__name__}{after}")


# ---------------------------------------------------------------------------------------------
# tables: CSV / JSONL / Parquet / DataFrame rows, validated one by one


_FIELDS = ("title", "date", "url", "text")


def _sniff_encoding(path: Path) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def _csv_rows(path: Path) -> Iterator[tuple[int, dict]]:
    encoding = _sniff_encoding(path)
    previous = csv.field_size_limit()
    # csv's own limit (131,072) would abort the whole table; rows over MAX_FIELD_CHARS are rejected
    # one by one below instead (a field cannot be longer than the file).
    csv.field_size_limit(max(previous, path.stat().st_size + 1))
    try:
        with open(path, encoding=encoding, errors="surrogateescape", newline="") as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader)
            except StopIteration:
                yield 1, {"__error__": ("empty table", "no header row")}
                return
            line = reader.line_num + 1
            n_rows = 0
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    yield line, {"__error__": ("unreadable row",
                                               f"{exc}; the rest of the table is not read")}
                    return
                if row:
                    n_rows += 1
                    if len(row) != len(header):
                        yield line, {"__error__": ("wrong number of fields",
                                                   f"{len(row)} fields; the header has {len(header)}")}
                    else:
                        yield line, dict(zip(header, row))
                line = reader.line_num + 1
            if not n_rows:
                yield 1, {"__error__": ("empty table", "a header and no rows")}
    finally:
        csv.field_size_limit(previous)


def _jsonl_rows(path: Path) -> Iterator[tuple[int, dict]]:
    with open(path, encoding=_sniff_encoding(path), errors="surrogateescape") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if _SURROGATE.search(line):
                yield number, {"__error__": ("undecodable bytes", "the line is not UTF-8")}
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, {"__error__": ("invalid JSON", f"{exc.msg} at column {exc.colno}")}
                continue
            yield number, row if isinstance(row, dict) else {"__error__": ("invalid JSON",
                                                                           "not a JSON object")}


def _tabular_rows(path: Path) -> Iterator[tuple[int, dict]]:
    """Yield (line number, row dict) for CSV / JSONL / Parquet (Parquet: row number + 1)."""
    name = path.name.lower()
    if name.endswith(".csv"):
        yield from _csv_rows(path)
    elif name.endswith((".jsonl", ".ndjson")):
        yield from _jsonl_rows(path)
    else:
        frame = pd.read_parquet(path)
        for number, row in enumerate(frame.to_dict("records"), start=1):
            yield number, row


def _missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value)) if not isinstance(value, (str, bytes, list, dict, tuple)) else False
    except (TypeError, ValueError):
        return False


def _parse_any_date(value: Any, line: int | None) -> pd.Timestamp | None:
    """A publication date from a table cell: YYYYMMDD, ISO 8601, RFC 2822 or a datetime (never
    relative words such as ``now`` or ``today``); None when the cell is empty."""
    if _missing(value):
        return None
    if isinstance(value, (pd.Timestamp, _datetime, _date, np.datetime64)):
        try:
            stamp = pd.Timestamp(value)
        except (ValueError, OverflowError):
            raise _Rejected(line, "date out of range", "the date cannot be held") from None
        return _in_range(stamp.tz_convert(None) if stamp.tzinfo else stamp, line)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _Rejected(line, "invalid date", f"a {type(value).__name__}, expected a date string")
    value = value.strip()
    if not value:
        return None
    if "\x00" in value:
        raise _Rejected(line, "NUL byte", "a NUL character in the date")
    if _DATE8.fullmatch(value):
        return _parse_yyyymmdd(value, line)
    if _ISO_DATE.fullmatch(value):
        try:
            stamp = pd.Timestamp(value)
        except OutOfBoundsDatetime:
            raise _Rejected(line, "date out of range", "outside the years newskit can hold") from None
        except (ValueError, TypeError) as exc:
            raise _Rejected(line, "impossible date", f"not a calendar day: {exc}") from None
    elif _RFC2822.fullmatch(value):
        try:
            stamp = pd.Timestamp(parsedate_to_datetime(value))
        except (ValueError, TypeError, IndexError, OverflowError):
            raise _Rejected(line, "impossible date", "not a calendar date (RFC 2822 form)") from None
    else:
        raise _Rejected(line, "invalid date",
                        f"{len(value)} characters that are not YYYY-MM-DD, YYYYMMDD or an RFC 2822 date")
    return _in_range(stamp.tz_convert(None) if stamp.tzinfo is not None else stamp, line)


def _text_field(row: Mapping, field: str, line: int | None) -> str:
    value = row.get(field)
    if _missing(value):
        return ""
    if not isinstance(value, str):
        raise _Rejected(line, "invalid URL" if field == "url" else f"invalid {field}",
                        f"the {field} is a {type(value).__name__}, not text")
    if "\x00" in value:
        raise _Rejected(line, "NUL byte", f"a NUL character in the {field}")
    if _SURROGATE.search(value):
        raise _Rejected(line, "undecodable bytes", f"the {field} is not UTF-8")
    if len(value) > MAX_FIELD_CHARS:
        raise _Rejected(line, "field too large", f"the {field} has {len(value):,} characters; "
                                                 f"the limit is {MAX_FIELD_CHARS:,}")
    return value


def _row_record(path: str, label: str, number: int, row: Mapping, mapping: Mapping[str, str]
                ) -> _Record | Reject:
    """Validate one table row (CSV, JSONL, Parquet or DataFrame) the same way for every source."""
    if "__error__" in row:
        reason, detail = row["__error__"]
        return Reject(path, number, reason, detail)
    row = {mapping.get(k, k): v for k, v in row.items()}
    missing = [f for f in REQUIRED_FIELDS if f not in row]
    if missing:  # a JSON line without the key (tables lacking the column are rejected as a whole)
        return Reject(path, number, "missing field", f"this row has no {' or '.join(missing)} field")
    try:
        title = _text_field(row, "title", number).strip()
        if not title:
            raise _Rejected(number, "missing title")
        date = _parse_any_date(row.get("date"), number)
        url = _text_field(row, "url", number).strip()
        if url:
            problem = _url_problem(url)
            if problem:
                raise _Rejected(number, "invalid URL", f"the url {problem}")
        text = _text_field(row, "text", number)
        paragraphs = [p.strip() for p in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                      if p.strip()]
        if not paragraphs:
            raise _Rejected(number, "empty body")
        outlet = _text_field(row, "outlet", number).strip() if "outlet" in row else ""
    except _Rejected as rej:
        return Reject(path, rej.line, rej.reason, rej.detail)
    return _Record(label, title, date, url, paragraphs, number if url else None, number, outlet)


def _csv_header(path: Path) -> list[str] | None:
    """The header row of a CSV file (None: empty or unreadable; its rows then say why)."""
    previous = csv.field_size_limit()
    csv.field_size_limit(max(previous, path.stat().st_size + 1))
    try:
        with open(path, encoding=_sniff_encoding(path), errors="surrogateescape", newline="") as handle:
            return next(csv.reader(handle))
    except (StopIteration, csv.Error, UnicodeError):
        return None
    finally:
        csv.field_size_limit(previous)


def _tabular_records(path: Path, columns: Mapping[str, str] | None) -> Iterator[_Record | Reject]:
    """The rows of a table file, each a record or a reject; a table without a needed column (after
    ``columns``) is one reject, checked from its header (CSV), schema (Parquet) or the keys of all
    its objects (JSONL) before any row, so that it does not give one reject per row."""
    mapping = dict(columns or {})
    name = path.name.lower()
    rows: Iterable[tuple[int, dict]] | None = None
    found: list[str] | None = None
    header_line: int | None = None
    try:
        if name.endswith(".csv"):
            found, header_line = _csv_header(path), 1
        elif name.endswith((".jsonl", ".ndjson")):
            rows = list(_jsonl_rows(path))  # the keys of every object are the table's columns
            keys = [dict.fromkeys(map(str, row)) for _, row in rows if "__error__" not in row]
            found = list(dict.fromkeys(k for row in keys for k in row)) if keys else None
        else:
            import pyarrow.parquet as pq

            found = list(pq.read_schema(path).names)
    except Exception as exc:  # unreadable table (corrupt Parquet, I/O error): one reject
        yield Reject(str(path), None, "unreadable table", type(exc).__name__)
        return
    problem = _column_problem(found, mapping) if found is not None else None
    if problem is not None:  # one reject for the file, not one per row
        reason, detail = problem
        yield Reject(str(path), header_line, reason, detail + _rows_note(path, rows))
        return
    produced = 0
    try:
        for number, row in (rows if rows is not None else _tabular_rows(path)):
            produced += 1
            yield _row_record(str(path), f"{path}:{number}", number, row, mapping)
    except Exception as exc:  # unreadable table (corrupt Parquet, I/O error): one reject
        after = f" after {produced} rows; the rest is not read" if produced else ""
        yield Reject(str(path), None, "unreadable table", f"{type(exc).__name__}{after}")


def _rows_note(path: Path, rows: list | None) -> str:
    """"; its N rows are not loaded" for a table rejected as a whole (empty when they cannot be counted)."""
    try:
        if rows is not None:
            n = len(rows)
        elif path.name.lower().endswith(".csv"):
            n = sum(1 for _, row in _csv_rows(path) if row.get("__error__", ("",))[0] != "empty table")
        else:
            import pyarrow.parquet as pq

            n = int(pq.read_metadata(path).num_rows)
    except Exception:  # noqa: BLE001 - the count is a courtesy
        return ""
    return _n_rows(n)


def _n_rows(n: int) -> str:
    return "; its 1 row is not loaded" if n == 1 else f"; its {n:,} rows are not loaded"


def _records(sources: Any, columns: Mapping[str, str] | None, *, follow: bool, skipped: _Skipped
             ) -> Iterator[_Record | Reject]:
    for item in _expand(sources, follow=follow, skipped=skipped):
        if isinstance(item, Reject):
            yield item
            continue
        name = item.name.lower()
        if name.endswith(TABULAR_SUFFIXES):
            yield from _tabular_records(item, columns)
        elif name.endswith(ARCHIVE_SUFFIXES):
            yield from _archive_records(item, skipped)
        else:
            yield _native_file(item)


def _from_frame(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> Iterator[_Record | Reject]:
    mapping = dict(columns or {})
    problem = _column_problem([str(c) for c in frame.columns], mapping)
    if problem is not None:  # one reject for the table, not one per row
        reason, detail = problem
        yield Reject("<DataFrame>", None, reason, detail + _n_rows(len(frame)))
        return
    for number, row in enumerate(frame.to_dict("records"), start=1):
        row = {mapping.get(k, k): v for k, v in row.items()}
        label = row.get("path") if isinstance(row.get("path"), str) and row.get("path") \
            else f"<DataFrame>:{number}"
        path = label if not label.startswith("<DataFrame>") else "<DataFrame>"
        yield _row_record(path, label, number, row, {})


# ---------------------------------------------------------------------------------------------
# public API


def load_corpus(
    source: Any,
    *,
    strict: bool = False,
    columns: Mapping[str, str] | None = None,
    outlet_names: str | os.PathLike | Mapping[str, str] | None = None,
    progress: bool = False,
    follow_symlinks: bool = False,
) -> pd.DataFrame:
    """Load articles into a table with one row per article.

    Every input is accounted for: ``len(df) + len(rejects(df)) == df.attrs["n_inputs"]``. An input
    is a native file, an archive member, or a table row; a table that cannot be read row by row (no
    ``title`` or ``text`` column after ``columns``, two columns giving the same field, unreadable)
    is *one* input with one reject for the whole file, whose detail names the columns found, how to
    map them and how many rows were not loaded. Files that are not article inputs by name (other
    extensions, hidden files) are not inputs; they are counted in ``df.attrs["skipped"]`` so an
    empty result can say what was found.

    Parameters
    ----------
    source
        A folder (searched recursively for ``.txt`` native files, archives and tables), a glob
        (``"news/**/*.txt"``), a file (native ``.txt``, ``.zip``, ``.tar.gz``, ``.csv``, ``.jsonl``,
        ``.parquet``), a list of any of these, or a DataFrame with ``title`` and ``text`` columns.
    strict
        Raise :class:`CorpusError` listing every rejected input instead of warning.
    columns
        Renames table columns to newskit's names (:data:`INPUT_FIELDS`: ``title``, ``date``, ``url``,
        ``text``, ``outlet``), e.g. ``{"headline": "title", "body": "text"}``; the command line's
        ``--columns title=headline,text=body`` is read by :func:`parse_columns`. A table's
        ``outlet`` column (after mapping), when present, is kept as the display name; ``source``
        is always the URL's host.
    outlet_names
        Display names by host (a YAML file ``host: Display name``, or a mapping; see
        :func:`load_outlet_names`), extending and overriding the built-in :data:`OUTLETS` for the
        ``outlet`` column of articles whose table gives no outlet.
    progress
        Show a progress bar while reading.
    follow_symlinks
        Follow symbolic links that lead outside a corpus folder (or outside a glob's folder).
        By default such links are rejected with a reason; links inside the folder are read.

    Returns
    -------
    pandas.DataFrame
        Columns ``article_id, title, date, url, source, outlet, text, n_paragraphs, n_words,
        path``. Rejected inputs are in ``df.attrs["rejects"]`` (see :func:`rejects`); the number
        of inputs read is ``df.attrs["n_inputs"]``; files skipped by name are summarised in
        ``df.attrs["skipped"]`` (``count``, ``kinds`` by extension, up to 5 ``examples``).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"headline": ["A", "B"], "date": ["2022-03-01", "2022-03-02"],
    ...                       "url": ["https://x.org/1", "https://x.org/1"], "body": ["One.", "Two."]})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     df = load_corpus(table, columns={"headline": "title", "body": "text"})
    >>> len(df), rejects(df).reason.tolist()
    (1, ['duplicate URL'])

    A table without the needed columns is one reject, however many rows it has:

    >>> with warnings.catch_warnings(record=True):
    ...     df = load_corpus(table)
    >>> rejects(df).detail[0]
    'no title or text column; columns found: headline, date, url, body; map yours with --columns title=headline,text=body (or load_corpus(columns={...})); its 2 rows are not loaded'
    >>> df.attrs["n_inputs"]
    1
    """
    columns = check_columns(columns)
    names = load_outlet_names(outlet_names)
    skipped = _Skipped()
    if isinstance(source, pd.DataFrame):
        stream: Iterable[_Record | Reject] = _from_frame(source, columns)
    else:
        stream = _records(source, columns, follow=follow_symlinks, skipped=skipped)
    if progress:
        from tqdm.auto import tqdm
        stream = tqdm(stream, desc="loading", unit="article")

    rows: list[dict] = []
    rejected: list[Reject] = []
    seen_url: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    n_inputs = 0
    for rec in stream:
        n_inputs += 1
        if isinstance(rec, Reject):
            rejected.append(rec)
            continue
        text = "\n".join(rec.paragraphs)
        path, line = (rec.path.rsplit(":", 1)[0], rec.body_line) if _is_row_label(rec.path) \
            else (rec.path, rec.body_line)
        if rec.url and rec.url in seen_url:
            rejected.append(Reject(path, rec.url_line, "duplicate URL",
                                   f"same URL as {seen_url[rec.url]}, which was kept"))
            continue
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
        if digest in seen_text:
            rejected.append(Reject(path, line, "duplicate text",
                                   f"same body as {seen_text[digest]}, which was kept"))
            continue
        if rec.url:
            seen_url[rec.url] = rec.path
        seen_text[digest] = rec.path
        source_host = _host(rec.url) if rec.url else ""
        rows.append({
            "article_id": _article_id(rec.url, rec.title, text),
            "title": rec.title,
            "date": rec.date if rec.date is not None else pd.NaT,
            "url": rec.url,
            "source": source_host,
            "outlet": rec.outlet or (outlet_name(source_host, names) if source_host else ""),
            "text": text,
            "n_paragraphs": len(rec.paragraphs),
            "n_words": len(_WORD.findall(text)),
            "path": rec.path,
        })

    df = pd.DataFrame(rows, columns=COLUMNS)
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ns]")
    df["n_paragraphs"] = df["n_paragraphs"].astype("int64")
    df["n_words"] = df["n_words"].astype("int64")
    df.attrs["rejects"] = [asdict(r) for r in rejected]
    df.attrs["n_inputs"] = n_inputs
    df.attrs["skipped"] = skipped.as_dict()
    if rejected:
        if strict:
            raise CorpusError(rejected, n_inputs)
        warnings.warn(f"{len(rejected)} of {n_inputs} inputs rejected; "
                      "see newskit.corpus.rejects(df) for path, line and reason",
                      CorpusWarning, stacklevel=2)
    elif not rows and skipped.count:
        warnings.warn(f"no article could be loaded: {skipped_note(df.attrs['skipped'])}",
                      CorpusWarning, stacklevel=2)
    return df


def skipped_note(skipped: Mapping[str, Any]) -> str:
    """One sentence on the files :func:`load_corpus` skipped by name (``df.attrs["skipped"]``).

    >>> skipped_note({"count": 3, "kinds": {"no extension": 2, ".md": 1}, "examples": []})
    '3 files skipped by name (2 no extension, 1 .md); articles must be .txt, .csv, .jsonl, .ndjson, .parquet, .pq, .zip, .tar.gz, .tgz or .tar files'
    """
    count = int(skipped.get("count", 0))
    if not count:
        return "no files found"
    kinds = ", ".join(f"{n} {kind}" for kind, n in skipped.get("kinds", {}).items())
    names = [".txt", *TABULAR_SUFFIXES, *ARCHIVE_SUFFIXES]
    return (f"{count} file{'s' if count != 1 else ''} skipped by name ({kinds}); articles must be "
            f"{', '.join(names[:-1])} or {names[-1]} files")


def _is_row_label(label: str) -> bool:
    head, _, tail = label.rpartition(":")
    return bool(head) and tail.isdigit() and head.lower().endswith(TABULAR_SUFFIXES)


def rejects(articles: pd.DataFrame) -> pd.DataFrame:
    """The inputs :func:`load_corpus` rejected, as a table (``path, line, reason, detail``).

    >>> rejects(load_corpus([])).columns.tolist()
    ['path', 'line', 'reason', 'detail']
    """
    table = pd.DataFrame(articles.attrs.get("rejects", []), columns=["path", "line", "reason", "detail"])
    table["line"] = table["line"].astype("Int64")
    return table


def summary(articles: pd.DataFrame) -> dict:
    """Corpus figures: articles, rejects, date range, outlets, paragraphs and words.

    >>> summary(load_corpus([]))["articles"]
    0
    """
    dates = articles["date"].dropna()
    return {
        "articles": int(len(articles)),
        "rejected": rejects(articles).astype(object).where(lambda t: t.notna(), None)
                                    .to_dict("records"),
        "date_min": dates.min().date().isoformat() if len(dates) else None,
        "date_max": dates.max().date().isoformat() if len(dates) else None,
        "undated": int(articles["date"].isna().sum()),
        "sources": {k: int(v) for k, v in articles["source"].value_counts().items()},
        "outlets": {k: int(v) for k, v in articles["outlet"].value_counts().items()},
        "paragraphs": int(articles["n_paragraphs"].sum()),
        "words": int(articles["n_words"].sum()),
        "skipped": dict(articles.attrs.get("skipped") or {"count": 0, "kinds": {}, "examples": []}),
    }


def filter_dates(articles: pd.DataFrame, date_from: Any = None, date_to: Any = None) -> pd.DataFrame:
    """Keep articles published between ``date_from`` and ``date_to``: whole days, inclusive (the one
    date-window rule of newskit, :func:`newskit._options.date_mask`); either bound is optional.

    Undated articles are kept only when no bound is given.

    >>> df = pd.DataFrame({"date": pd.to_datetime(["2022-01-01 00:00", "2022-02-01 14:00", None])})
    >>> len(filter_dates(df, "2022-01-15")), len(filter_dates(df, date_to="2022-02-01")), len(filter_dates(df))
    (1, 2, 3)
    """
    if date_from is None and date_to is None:
        return articles
    return articles[date_mask(articles["date"], date_from=date_from, date_to=date_to).to_numpy()]


def to_parquet(articles: pd.DataFrame, out: str | Path, *, rows_per_partition: int = 1000) -> Path:
    """Write an articles table as a folder of Parquet partitions (``part-00000.parquet`` …).

    The folder is readable by ``pandas.read_parquet``, ``dask.dataframe.read_parquet`` and
    :func:`load_corpus` (each part is a table with newskit's columns).

    >>> import tempfile
    >>> df = pd.DataFrame({"title": ["A"], "text": ["Body."], "url": ["https://x.org/a"],
    ...                    "date": ["2022-01-02"]})
    >>> out = to_parquet(load_corpus(df), tempfile.mkdtemp() + "/c.parquet")
    >>> len(pd.read_parquet(out))
    1
    """
    if rows_per_partition < 1:
        raise ValueError("rows_per_partition must be at least 1")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*.parquet"):
        old.unlink()
    table = articles.reset_index(drop=True)
    table = table.assign(date=table["date"].astype("datetime64[ns]"))
    table.attrs = {}
    for number, start in enumerate(range(0, max(len(table), 1), rows_per_partition)):
        table.iloc[start:start + rows_per_partition].to_parquet(
            out / f"part-{number:05d}.parquet", index=False)
    return out

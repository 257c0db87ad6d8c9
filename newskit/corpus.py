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

import csv
import glob as _glob
import hashlib
import io
import json
import re
import tarfile
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date as _date
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd

from newskit._options import date_mask

__all__ = [
    "load_corpus",
    "rejects",
    "summary",
    "filter_dates",
    "outlet_name",
    "Reject",
    "CorpusError",
    "CorpusWarning",
    "COLUMNS",
    "to_parquet",
]

#: Columns of the articles table, in order.
COLUMNS = ["article_id", "title", "date", "url", "source", "outlet", "text",
           "n_paragraphs", "n_words", "path"]

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
    # the fictional demo corpus (newskit.datasets)
    "northstar-news.example": "Northstar News",
    "dailymeridian.example": "The Daily Meridian",
    "coastline-herald.example": "Coastline Herald",
    "ledgerwire.example": "Ledger Wire",
}

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_DATE8 = re.compile(r"\d{8}")


@dataclass(frozen=True)
class Reject:
    """One input that was not loaded: where it is and why."""

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


def outlet_name(source: str) -> str:
    """Display name for an outlet host.

    >>> outlet_name("abcnews.go.com"), outlet_name("unknown.example.net")
    ('ABC News', 'unknown.example.net')
    """
    return OUTLETS.get(source, source)


def _host(url: str) -> str:
    host = (urlparse(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _article_id(url: str, title: str, text: str) -> str:
    key = url if url else f"{title}\n{text}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _looks_like_url(value: str) -> bool:
    parsed = urlparse(value)
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc) and " " not in value


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


@dataclass
class _Record:
    path: str
    title: str
    date: pd.Timestamp | None
    url: str
    paragraphs: list[str]
    url_line: int | None
    body_line: int | None


class _Rejected(Exception):
    def __init__(self, line: int | None, reason: str, detail: str = ""):
        super().__init__(reason)
        self.line, self.reason, self.detail = line, reason, detail


def _parse_yyyymmdd(value: str, line: int) -> pd.Timestamp:
    if not value:
        raise _Rejected(line, "missing date", "line 2 is empty; expected YYYYMMDD")
    if not _DATE8.fullmatch(value):
        raise _Rejected(line, "invalid date", f"{value[:40]!r} is not YYYYMMDD")
    try:
        return pd.Timestamp(_date(int(value[:4]), int(value[4:6]), int(value[6:])))
    except ValueError as exc:
        raise _Rejected(line, "impossible date", f"{value}: {exc}") from None


def _parse_native(label: str, data: bytes) -> _Record:
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _Rejected(_line_of(data, nul), "binary file", f"NUL byte at offset {nul}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Rejected(_line_of(data, exc.start), "undecodable bytes",
                        f"not UTF-8 at byte {exc.start}: {data[exc.start:exc.start + 4]!r}") from None
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
    if not _looks_like_url(url):
        raise _Rejected(3, "missing URL line", f"line 3 is not an http(s) URL: {url[:60]!r}")
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
# inputs: each yields (label, bytes) for native files, or records for tabular files


def _expand(source: Any) -> Iterator[Path | str]:
    if isinstance(source, (str, Path)):
        path = Path(source).expanduser()
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and _is_input(p))
        elif path.exists():
            yield path
        elif any(ch in str(source) for ch in "*?["):
            matches = sorted(_glob.glob(str(path), recursive=True))
            yield from (Path(m) for m in matches if Path(m).is_file())
        else:
            yield str(path)  # reported as a reject: does not exist
    elif isinstance(source, Iterable):
        for item in source:
            yield from _expand(item)
    else:
        raise TypeError(f"cannot load articles from {type(source).__name__}: give a path, glob, "
                        "list of paths or a DataFrame")


def _is_input(path: Path) -> bool:
    name = path.name.lower()
    if name.startswith("."):
        return False
    return name.endswith(".txt") or name.endswith(TABULAR_SUFFIXES) or name.endswith(ARCHIVE_SUFFIXES)


def _archive_members(path: Path) -> Iterator[tuple[str, bytes]]:
    name = path.name.lower()
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if not info.is_dir() and info.filename.lower().endswith(".txt") \
                        and not Path(info.filename).name.startswith("."):
                    yield f"{path}!{info.filename}", zf.read(info)
    else:
        with tarfile.open(path) as tf:
            for member in sorted(tf.getmembers(), key=lambda m: m.name):
                if member.isfile() and member.name.lower().endswith(".txt") \
                        and not Path(member.name).name.startswith("."):
                    handle = tf.extractfile(member)
                    yield f"{path}!{member.name}", handle.read() if handle else b""


_FIELDS = ("title", "date", "url", "text")


def _tabular_rows(path: Path, columns: Mapping[str, str] | None) -> Iterator[tuple[int, dict]]:
    """Yield (line number, row dict) for CSV / JSONL / Parquet (Parquet: row number + 1)."""
    name = path.name.lower()
    if name.endswith(".csv"):
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            start = 2
            for row in reader:
                yield start, row
                start = reader.line_num + 1
    elif name.endswith((".jsonl", ".ndjson")):
        with open(path, encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, {"__error__": f"invalid JSON: {exc.msg}"}
                    continue
                yield number, row if isinstance(row, dict) else {"__error__": "not a JSON object"}
    else:
        frame = pd.read_parquet(path)
        for number, row in enumerate(frame.to_dict("records"), start=1):
            yield number, row


def _parse_any_date(value: Any, line: int) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, _date)):
        return pd.Timestamp(value).tz_localize(None) if pd.Timestamp(value).tzinfo else pd.Timestamp(value)
    value = str(value).strip()
    if not value:
        return None
    if _DATE8.fullmatch(value):
        return _parse_yyyymmdd(value, line)
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise _Rejected(line, "invalid date", f"{value[:40]!r} is not a date") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return stamp


def _tabular_records(path: Path, columns: Mapping[str, str] | None) -> Iterator[_Record | Reject]:
    mapping = dict(columns or {})
    try:
        rows = list(_tabular_rows(path, columns))
    except Exception as exc:  # unreadable table: one reject for the whole file
        yield Reject(str(path), None, "unreadable table", f"{type(exc).__name__}: {exc}")
        return
    for number, row in rows:
        label = f"{path}:{number}"
        if "__error__" in row:
            yield Reject(str(path), number, row["__error__"])
            continue
        row = {mapping.get(k, k): v for k, v in row.items()}
        missing = [f for f in ("title", "text") if f not in row]
        if missing:
            yield Reject(str(path), number, "missing column",
                         f"no {', '.join(missing)} column (map yours with columns={{...}})")
            continue
        try:
            title = "" if row.get("title") is None else str(row["title"]).strip()
            if not title or title == "nan":
                raise _Rejected(number, "missing title")
            date = _parse_any_date(row.get("date"), number)
            url = row.get("url")
            url = "" if url is None or (isinstance(url, float) and pd.isna(url)) else str(url).strip()
            if url and not _looks_like_url(url):
                raise _Rejected(number, "invalid URL", f"{url[:60]!r}")
            text = "" if row.get("text") is None or (isinstance(row["text"], float)
                                                      and pd.isna(row["text"])) else str(row["text"])
            paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]
            if not paragraphs:
                raise _Rejected(number, "empty body")
        except _Rejected as rej:
            yield Reject(str(path), rej.line, rej.reason, rej.detail)
            continue
        yield _Record(label, title, date, url, paragraphs, number if url else None, number)


def _records(sources: Any, columns: Mapping[str, str] | None) -> Iterator[_Record | Reject]:
    for item in _expand(sources):
        if isinstance(item, str):
            yield Reject(item, None, "not found", "no such file, folder or glob match")
            continue
        name = item.name.lower()
        if name.endswith(TABULAR_SUFFIXES):
            yield from _tabular_records(item, columns)
            continue
        if name.endswith(ARCHIVE_SUFFIXES):
            try:
                members = list(_archive_members(item))
            except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
                yield Reject(str(item), None, "unreadable archive", f"{type(exc).__name__}: {exc}")
                continue
            entries: Iterable[tuple[str, bytes]] = members
        else:
            try:
                entries = [(str(item), item.read_bytes())]
            except OSError as exc:
                yield Reject(str(item), None, "unreadable file", str(exc))
                continue
        for label, data in entries:
            try:
                yield _parse_native(label, data)
            except _Rejected as rej:
                yield Reject(label, rej.line, rej.reason, rej.detail)


def _from_frame(frame: pd.DataFrame, columns: Mapping[str, str] | None) -> Iterator[_Record | Reject]:
    mapping = dict(columns or {})
    frame = frame.rename(columns=mapping)
    for number, row in enumerate(frame.to_dict("records"), start=1):
        label = row.get("path") if isinstance(row.get("path"), str) else f"<DataFrame>:{number}"
        text = row.get("text")
        if "title" not in row or "text" not in row:
            yield Reject(label, number, "missing column", "needs title and text columns")
            continue
        try:
            date = _parse_any_date(row.get("date"), number)
        except _Rejected as rej:
            yield Reject(label, number, rej.reason, rej.detail)
            continue
        url = row.get("url") if isinstance(row.get("url"), str) else ""
        paragraphs = [p.strip() for p in str(text or "").split("\n") if p.strip()]
        title = str(row.get("title") or "").strip()
        if not title:
            yield Reject(label, number, "missing title")
        elif not paragraphs:
            yield Reject(label, number, "empty body")
        else:
            yield _Record(label, title, date, url.strip(), paragraphs, number, number)


# ---------------------------------------------------------------------------------------------
# public API


def load_corpus(
    source: Any,
    *,
    strict: bool = False,
    columns: Mapping[str, str] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """Load articles into a table with one row per article.

    Parameters
    ----------
    source
        A folder (searched recursively for ``.txt`` native files, archives and tables), a glob
        (``"news/**/*.txt"``), a file (native ``.txt``, ``.zip``, ``.tar.gz``, ``.csv``, ``.jsonl``,
        ``.parquet``), a list of any of these, or a DataFrame with ``title`` and ``text`` columns.
    strict
        Raise :class:`CorpusError` listing every rejected input instead of warning.
    columns
        Renames table columns to newskit's names, e.g. ``{"headline": "title", "body": "text"}``.
    progress
        Show a progress bar while reading.

    Returns
    -------
    pandas.DataFrame
        Columns ``article_id, title, date, url, source, outlet, text, n_paragraphs, n_words,
        path``. Rejected inputs are in ``df.attrs["rejects"]`` (see :func:`rejects`); the number
        of inputs read is ``df.attrs["n_inputs"]``.

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
    """
    if isinstance(source, pd.DataFrame):
        stream: Iterable[_Record | Reject] = _from_frame(source, columns)
    else:
        stream = _records(source, columns)
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
            "outlet": outlet_name(source_host) if source_host else "",
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
    if rejected:
        if strict:
            raise CorpusError(rejected, n_inputs)
        warnings.warn(f"{len(rejected)} of {n_inputs} inputs rejected; "
                      "see newskit.corpus.rejects(df) for path, line and reason",
                      CorpusWarning, stacklevel=2)
    return df


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

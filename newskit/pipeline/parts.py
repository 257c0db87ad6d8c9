"""Annotation folders written part by part: the on-disk layout shared by :func:`newskit.annotate_to`
(one machine, streaming) and :func:`newskit.pipeline.dask.annotate_dask` (a Dask cluster)::

    out_dir/
      articles/part-00000.parquet …     the input rows (text included: KWIC needs it)
      sentences/part-00000.parquet …
      mentions/part-00000.parquet …     with actor, actor_type (resolved corpus-wide, see below)
      dates/part-00000.parquet …
      meta.json

:meth:`newskit.Annotations.load` reads such a folder. Actor resolution depends on the whole corpus
(which surface forms occur, how often), so it runs in two passes: each part's raw mentions are written
to ``_raw_mentions/`` and its distinct ``(text, label)`` forms kept with counts (:func:`surface_forms`);
the forms of all parts are resolved at once (:func:`resolve_forms`, cheap: thousands of forms), and
:func:`finish_mentions` maps the actors onto each part. The result equals the in-memory ``annotate()``.

>>> import pandas as pd

from newskit import _schema
>>> m = pd.DataFrame({"text": ["Kiev", "Kyiv", "Kiev"], "label": ["GPE"] * 3})
>>> surface_forms(m, part=0)[["text", "n", "pos"]]
   text  n  pos
0  Kiev  2    0
1  Kyiv  1    1
>>> resolve_forms(surface_forms(m, part=0))[["text", "actor"]]
   text actor
0  Kiev  Kyiv
1  Kyiv  Kyiv
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from newskit import _schema
from newskit.annotations import TABLES

RAW = "_raw_mentions"
RAW_QUOTES = "_raw_quotes"  # quotes of a part before their speakers are resolved to actors


def part_name(number: int) -> str:
    """File name of part ``number``: ``part-00042.parquet``."""
    return f"part-{number:05d}.parquet"


# --------------------------------------------------------------------------- paths (local or fsspec URL)
def is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def join(root: str, *parts: str) -> str:
    return "/".join([str(root).rstrip("/"), *parts])


def mkdir(path: str, storage_options: Mapping[str, Any] | None = None) -> None:
    if is_url(path):
        import fsspec

        fs, p = fsspec.core.url_to_fs(path, **dict(storage_options or {}))
        fs.makedirs(p, exist_ok=True)
    else:
        Path(path).mkdir(parents=True, exist_ok=True)


def write(df: pd.DataFrame, path: str, storage_options: Mapping[str, Any] | None = None, *,
          skip_empty: bool = True) -> None:
    """Write a table as one Parquet file. Empty tables are not written (their column types are guesses
    that would clash with the other parts' schema; :func:`finish` writes one typed empty part when a
    table has none), and all-null columns are typed as strings."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if skip_empty and not len(df):
        return
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    for i, f in enumerate(table.schema):
        if pa.types.is_null(f.type):
            table = table.set_column(i, pa.field(f.name, pa.string()), table.column(i).cast(pa.string()))
    if is_url(path):
        import fsspec

        with fsspec.open(path, "wb", **dict(storage_options or {})) as fh:
            pq.write_table(table, fh)
    else:
        pq.write_table(table, path)


def exists(path: str, storage_options: Mapping[str, Any] | None = None) -> bool:
    if is_url(path):  # pragma: no cover - object stores
        import fsspec

        fs, p = fsspec.core.url_to_fs(path, **dict(storage_options or {}))
        return fs.exists(p)
    return Path(path).exists()


def read(path: str, storage_options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    return pd.read_parquet(path, storage_options=dict(storage_options) if is_url(path) and storage_options
                           else None)


def prepare(out: str, storage_options: Mapping[str, Any] | None = None) -> None:
    """Create the table folders under ``out``; remove parts left by an earlier run (local folders)."""
    for sub in ("articles", *TABLES, RAW, RAW_QUOTES):
        d = join(out, sub)
        mkdir(d, storage_options)
        if not is_url(out):
            for old in Path(d).glob("part-*.parquet"):
                old.unlink()


# --------------------------------------------------------------------------- one part
def write_part(number: int, articles: pd.DataFrame, tables: Mapping[str, pd.DataFrame], out: str,
               storage_options: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Write one part's articles, sentences, dates and raw mentions; return its :func:`surface_forms`."""
    name = part_name(number)
    write(articles, join(out, "articles", name), storage_options)
    for t in ("sentences", "dates"):
        write(tables[t], join(out, t, name), storage_options)
    if "quotes" in tables:  # speakers are resolved to actors in finish_mentions
        write(tables["quotes"], join(out, RAW_QUOTES, name), storage_options)
    write(tables["mentions"], join(out, RAW, name), storage_options)
    forms = surface_forms(tables["mentions"], part=number)
    forms["n_articles"] = len(articles)
    return forms


def surface_forms(mentions: pd.DataFrame, *, part: int) -> pd.DataFrame:
    """Distinct ``(text, label)`` of a part's mentions with their count ``n`` and the row ``pos`` of their
    first mention (to reproduce the in-memory resolution order)."""
    if len(mentions):
        m = mentions.reset_index(drop=True).reset_index()
        if "propagated" in m:  # as newskit.actors.resolve._forms_of: propagated forms add no vote
            m = m[m["propagated"].fillna(0).to_numpy() != 1]
        g = m.groupby(["text", "label"], sort=False)
        forms = pd.DataFrame({"n": g.size(), "pos": g["index"].min()}).reset_index()
    else:
        forms = pd.DataFrame({"text": pd.Series(dtype=object), "label": pd.Series(dtype=object),
                              "n": pd.Series(dtype="int64"), "pos": pd.Series(dtype="int64")})
    forms.insert(0, "part", part)
    return forms


def resolve_forms(forms: pd.DataFrame, *, actor_file=None, keep_groups: bool = False) -> pd.DataFrame:
    """Resolve the surface forms of all parts at once: ``text, actor, actor_type``."""
    from newskit.actors import resolve_surface_forms

    forms = forms[forms["n"] > 0] if len(forms) else forms
    if not len(forms):
        return pd.DataFrame({"text": [], "actor": [], "actor_type": []}, dtype=object)
    agg = forms.groupby(["text", "label"], sort=False).agg(n=("n", "sum")).reset_index()
    first = forms.sort_values(["part", "pos"]).drop_duplicates(["text", "label"])[["text", "label", "part", "pos"]]
    agg = agg.merge(first, on=["text", "label"]).sort_values(["part", "pos"])
    actors = resolve_surface_forms(agg[["text", "label", "n"]].reset_index(drop=True),
                                   actor_file=actor_file, keep_groups=keep_groups)
    return actors[["text", "actor", "actor_type"]].reset_index(drop=True)


def finish_mentions(number: int, *, out: str, actors: pd.DataFrame,
                    storage_options: Mapping[str, Any] | None = None) -> int:
    """Map the corpus-wide actors onto one part's raw mentions and drop non-entities (as
    :func:`newskit.actors.resolve_actors`); returns the number of mentions kept."""
    name = part_name(number)
    raw = join(out, RAW, name)
    if not exists(raw, storage_options):
        return 0
    m = read(raw, storage_options)
    amap = dict(zip(actors["text"], actors["actor"]))
    tmap = dict(zip(actors["text"], actors["actor_type"]))
    m = m.drop(columns=[c for c in ("actor", "actor_type") if c in m.columns])
    m = m.assign(actor=m["text"].map(amap), actor_type=m["text"].map(tmap))
    m = m[m["actor"].notna()].reset_index(drop=True)
    write(m, join(out, "mentions", name), storage_options)
    raw_q = join(out, RAW_QUOTES, name)
    if exists(raw_q, storage_options):
        from newskit.quotes import resolve_speakers

        from newskit._options import where_mask

        write(resolve_speakers(read(raw_q, storage_options), m[where_mask(m, "body")]), join(out, "quotes", name),
              storage_options)
    return len(m)


def empty_table(table: str) -> pd.DataFrame:
    """A typed, empty table (written when no part has a row, so that ``Annotations.load`` finds it)."""
    if table == "articles":
        return _schema.empty("articles", extra=["text"])
    if table == "sentences":
        return _schema.empty("sentences", extra=["compound", "pos", "neg", "neu"])
    if table == "mentions":
        return _schema.empty("mentions", extra=["score", "sentiment", "actor", "actor_type"])
    if table == "quotes":
        return _schema.empty("quotes", extra=["actor", "actor_type"])
    return _schema.empty("dates")


def finish(out: str, meta: Mapping[str, Any], storage_options: Mapping[str, Any] | None = None) -> None:
    """Write a typed empty part for tables without rows, remove ``_raw_mentions``, write ``meta.json``."""
    import json

    local = not is_url(out)
    for t in ("articles", *TABLES):
        d = join(out, t)
        if local and not any(Path(d).glob("part-*.parquet")):
            write(empty_table(t), join(d, part_name(0)), storage_options, skip_empty=False)
    if local:
        import shutil

        from newskit.annotations import checksums

        shutil.rmtree(join(out, RAW), ignore_errors=True)
        shutil.rmtree(join(out, RAW_QUOTES), ignore_errors=True)
        meta = dict(meta, checksums=checksums(out))
        Path(out, "meta.json").write_text(json.dumps(dict(meta), indent=2, default=str))
        return
    text = json.dumps(dict(meta), indent=2, default=str)
    import fsspec  # pragma: no cover - object stores

    fs, p = fsspec.core.url_to_fs(join(out, RAW), **dict(storage_options or {}))  # pragma: no cover
    fs.rm(p, recursive=True)  # pragma: no cover
    with fsspec.open(join(out, "meta.json"), "w", **dict(storage_options or {})) as fh:  # pragma: no cover
        fh.write(text)


# --------------------------------------------------------------------------- atomic output folders
def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.{kind}-*"))


def staging(out: str) -> str:
    """A new empty sibling folder of ``out`` to write a run into (local paths; a URL is returned as is).

    Leftovers of killed runs are cleaned first: stale ``.<name>.tmp-*`` siblings are removed, and an
    ``.<name>.old-*`` sibling is put back when ``out`` itself is missing (a run killed mid-swap).
    ``out`` must not be an existing file, nor a folder holding anything but annotation tables (it is
    replaced as a whole when the run completes).
    """
    import shutil
    import uuid

    if is_url(out):
        return out
    final = Path(out)
    if final.exists() and not final.is_dir():
        raise NotADirectoryError(f"{final}: exists and is not a folder; give an output folder")
    if final.is_dir():
        entries = {e.name for e in final.iterdir()}
        ours = {"articles", *TABLES, RAW, "meta.json"}
        if entries - ours:
            raise FileExistsError(f"{final}: not an annotations folder (holds {len(entries - ours)} other "
                                  "entries); it would be replaced as a whole: give a new or empty folder")
    final.parent.mkdir(parents=True, exist_ok=True)
    for stale in _siblings(final, "tmp"):
        shutil.rmtree(stale, ignore_errors=True)
    old = _siblings(final, "old")
    if old and not final.exists():
        os.replace(old[-1], final)
    for extra in _siblings(final, "old"):
        shutil.rmtree(extra, ignore_errors=True)
    work = final.parent / f".{final.name}.tmp-{uuid.uuid4().hex[:12]}"
    work.mkdir()
    return str(work)


def swap_in(work: str, out: str) -> None:
    """Replace ``out`` by the complete folder ``work`` (the old output is removed only afterwards)."""
    import shutil
    import uuid

    if work == out:
        return
    final = Path(out)
    old = None
    if final.exists():
        old = final.parent / f".{final.name}.old-{uuid.uuid4().hex[:12]}"
        os.replace(final, old)
    os.replace(work, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def discard(work: str, out: str) -> None:
    """Remove the staging folder of a failed run (``out`` is untouched)."""
    import shutil

    if work != out:
        shutil.rmtree(work, ignore_errors=True)


def local_dir(path: str | os.PathLike) -> str:
    """``path`` as an absolute local path, or unchanged when it is a URL."""
    return str(path) if is_url(str(path)) else str(Path(path).expanduser().resolve())

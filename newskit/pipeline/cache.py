"""Caches of the annotation pipeline: one per declared step, Parquet shards keyed by article content.

Layout: ``<root>/steps/<step>-<chain>/shard-*/`` where ``chain`` hashes the step's name and version
and the chains of the steps it reads from — so changing one step (a new sentiment model) changes the
key of that step and of the steps after it only; spaCy NER stays cached. ``<root>`` is
:func:`default_cache_dir`. Each shard holds one Parquet file per stored table (rows keyed by the
article key in a ``key`` column; column-adding steps also store ``_row``, the row number within the
article) and ``manifest.json`` (keys, row counts, sha256 of each file), written last and atomically;
a shard without a manifest is partial and ignored, a shard that fails validation is deleted with a
warning and its articles are annotated again.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

__all__ = ["default_cache_dir", "article_keys", "StepCache", "settings_hash"]

#: a ``.tmp-shard-*`` folder older than this (seconds) was left by a killed writer and is removed
STALE_TMP_SECONDS = 15 * 60


def _manifest_problem(man: Any, tables: Sequence[str]) -> str | None:
    """Why a parsed ``manifest.json`` cannot be trusted (None when its structure is sound)."""
    if not isinstance(man, dict):
        return f"a JSON {type(man).__name__}, not an object"
    keys = man.get("keys")
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        return "'keys' is not a list of strings"
    if len(set(keys)) != len(keys):
        return "'keys' repeats a key"
    files = man.get("files")
    if not isinstance(files, dict):
        return "'files' is not an object"
    for t in tables:
        info = files.get(t)
        if not isinstance(info, dict) or not isinstance(info.get("rows"), int) \
                or not isinstance(info.get("sha256"), str) or not isinstance(info.get("columns"), list):
            return f"no valid entry for table {t!r}"
    return None


def default_cache_dir() -> Path:
    """``$NEWSKIT_CACHE``, else ``$XDG_CACHE_HOME/newskit``, else ``~/.cache/newskit``.

    >>> default_cache_dir().name in ("newskit",) or "NEWSKIT_CACHE" in __import__("os").environ
    True
    """
    env = os.environ.get("NEWSKIT_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "newskit"


def settings_hash(settings: Mapping[str, Any]) -> str:
    """Short sha256 of a JSON-able mapping (sorted keys)."""
    blob = json.dumps(dict(settings), sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:20]


def article_keys(articles: pd.DataFrame) -> list[str]:
    """Content key per article: sha256 of the publication date, the title and the text (steps add their
    chain). The title is part of it since titles are annotated (sentences ``in_title``).

    >>> import pandas as pd
    >>> a = pd.DataFrame({"text": ["x", "x"], "date": pd.to_datetime(["2022-01-01", "2022-01-02"])})
    >>> k = article_keys(a); k[0] != k[1] and len(k[0]) == 64
    True
    >>> t = pd.DataFrame({"text": ["x", "x"], "title": ["One", "Two"]})
    >>> len(set(article_keys(t)))
    2
    """
    texts = articles["text"].fillna("").astype(str).tolist()
    if "date" in articles.columns:
        dates = pd.to_datetime(articles["date"], errors="coerce")
        dstr = ["" if pd.isna(d) else d.isoformat() for d in dates]
    else:
        dstr = [""] * len(texts)
    titles = ([t if isinstance(t, str) else "" for t in articles["title"].tolist()] if "title" in articles.columns
              else [""] * len(texts))
    out = []
    for d, ti, t in zip(dstr, titles, texts):
        h = hashlib.sha256(b"newskit-article-2\0" + d.encode() + b"\0")
        tb = ti.encode("utf-8", "surrogatepass")
        h.update(str(len(tb)).encode() + b"\0" + tb)
        h.update(t.encode("utf-8", "surrogatepass"))
        out.append(h.hexdigest())
    return out


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class StepCache:
    """Per-article cache of one pipeline step's outputs (see the module docstring).

    Parameters
    ----------
    root : path
        Cache root (:func:`default_cache_dir`).
    step : str
        Step name.
    chain : str
        The step's chain hash (name, version, upstream chains).
    tables : sequence of str
        The tables this step stores.
    settings : mapping
        Recorded in each manifest (for humans; the key is ``chain``).
    """

    def __init__(self, root: str | os.PathLike, step: str, chain: str, tables: Sequence[str],
                 settings: Mapping[str, Any] | None = None):
        self.step = step
        self.chain = chain
        self.tables = tuple(tables)
        self.settings = dict(settings or {})
        self.dir = Path(root) / "steps" / f"{step}-{chain[:16]}"
        self._manifests: dict[str, dict] | None = None
        #: set when a write failed (read-only, full, not a folder): the run goes on uncached
        self.write_error: str | None = None

    def manifests(self) -> dict[str, dict]:
        if self._manifests is None:
            out = {}
            try:
                present = self.dir.is_dir()
            except OSError:
                present = False
            if present:
                self._clean_stale_tmp()
                for mf in sorted(self.dir.glob("shard-*/manifest.json")):
                    try:
                        man = json.loads(mf.read_text())
                    except (OSError, ValueError):
                        problem = "unreadable JSON"
                    else:
                        problem = _manifest_problem(man, self.tables)
                    if problem:
                        warnings.warn(f"newskit cache: bad manifest {mf} ({problem}); discarding the shard, "
                                      "its articles will be annotated again", stacklevel=3)
                        shutil.rmtree(mf.parent, ignore_errors=True)
                        continue
                    out[mf.parent.name] = man
            self._manifests = out
        return self._manifests

    def _clean_stale_tmp(self) -> None:
        now = time.time()
        for tmp in self.dir.glob(".tmp-shard-*"):
            try:
                if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                    shutil.rmtree(tmp, ignore_errors=True)
            except OSError:
                pass

    def read(self, keys: Iterable[str]) -> tuple[dict[str, pd.DataFrame], set[str]]:
        """Tables for the cached subset of ``keys`` and the set of keys found (validated)."""
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        wanted = set(keys)
        parts: dict[str, list] = {t: [] for t in self.tables}
        found: set[str] = set()
        for shard, man in list(self.manifests().items()):
            shard_keys = set(man.get("keys", []))
            hit = wanted & shard_keys
            hit -= found
            if not hit:
                continue
            try:
                tables = {}
                for t in self.tables:
                    path = self.dir / shard / f"{t}.parquet"
                    info = man["files"][t]
                    if _sha256_file(path) != info["sha256"]:
                        raise ValueError(f"checksum mismatch in {path.name}")
                    tab = pq.read_table(path)
                    if tab.num_rows != info["rows"]:
                        raise ValueError(f"{path.name}: {tab.num_rows} rows, manifest says {info['rows']}")
                    if "key" not in tab.column_names or list(tab.column_names) != info["columns"]:
                        raise ValueError(f"{path.name}: unexpected columns")
                    stray = set(pc.unique(tab["key"]).to_pylist()) - shard_keys
                    if stray:
                        raise ValueError(f"{path.name}: rows of {len(stray)} keys the manifest does not list")
                    tables[t] = tab
            except (OSError, KeyError, ValueError, TypeError, pa.ArrowException) as exc:
                warnings.warn(f"newskit cache: shard {shard} is corrupt ({exc}); "
                              "discarding it, its articles will be annotated again", stacklevel=3)
                shutil.rmtree(self.dir / shard, ignore_errors=True)
                del self.manifests()[shard]
                continue
            sel = pa.array(sorted(hit))
            for t, tab in tables.items():
                if len(hit) != len(shard_keys) and tab.num_rows:
                    tab = tab.filter(pc.is_in(tab["key"], value_set=sel))
                parts[t].append(tab)
            found |= hit
        out = {}
        for t in self.tables:
            if parts[t]:
                tab = pa.concat_tables(parts[t], promote_options="default") if len(parts[t]) > 1 else parts[t][0]
                out[t] = tab.to_pandas()
        return out, found

    def write(self, keys: Sequence[str], tables: Mapping[str, pd.DataFrame]) -> None:
        """Write one shard for ``keys`` (tables keyed by a ``key`` column).

        A cache that cannot be written (read-only, full disk, a file in the way) gives one warning and
        is not written again in this run (:attr:`write_error`); the results are unaffected.
        """
        if self.write_error is not None:
            return
        name = f"shard-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = self.dir / f".tmp-{name}"
        try:
            self._write(name, tmp, keys, tables)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            self.write_error = f"{type(exc).__name__}: {exc.strerror or exc}"
            warnings.warn(f"newskit cache: cannot write {self.dir} ({self.write_error}); "
                          "going on without caching this step", stacklevel=3)

    def _write(self, name: str, tmp: Path, keys: Sequence[str], tables: Mapping[str, pd.DataFrame]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.dir.mkdir(parents=True, exist_ok=True)
        tmp.mkdir()
        files = {}
        for t in self.tables:
            df = tables[t]
            path = tmp / f"{t}.parquet"
            table = pa.Table.from_pandas(df, preserve_index=False)
            if table.schema.field("key").type == pa.null():
                table = table.set_column(table.schema.get_field_index("key"), "key",
                                         pa.array([], type=pa.string()))
            pq.write_table(table, path)
            files[t] = {"rows": len(df), "columns": list(table.column_names), "sha256": _sha256_file(path)}
        manifest = {"keys": list(keys), "files": files, "step": self.step, "chain": self.chain,
                    "settings": self.settings,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (tmp / "manifest.json").write_text(json.dumps(manifest))
        os.replace(tmp, self.dir / name)
        if self._manifests is not None:
            self._manifests[name] = manifest

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
        self._manifests = None



"""The report's output folder: refuse to write into a folder that holds something else, and keep a
marker (``.newskit-report.json``) listing every file a report wrote, so that the next report into
the same folder removes the stale pages of the previous one (and nothing else).

>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "r"
>>> prepare_output(out).files
[]
>>> _ = (out / "index.html").write_text("x")
>>> finish_output(out, ["index.html"])
[]
>>> sorted(p.name for p in out.iterdir())
['.newskit-report.json', 'index.html']
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

__all__ = ["MARKER", "ReportOutputError", "OutputFolder", "prepare_output", "finish_output"]

#: Marker file of a newskit report folder: JSON ``{"newskit_report": 1, "files": [...]}``.
MARKER = ".newskit-report.json"
#: Names a report keeps across runs (the annotation cache) and never lists as pages.
_KEPT = {MARKER, ".cache"}


class ReportOutputError(ValueError):
    """The output folder cannot be used (a file, read-only, or a folder that is not a report)."""


@dataclass
class OutputFolder:
    """The checked output folder and the files its previous report wrote."""

    path: Path
    files: list[str] = field(default_factory=list)  #: files listed by the previous report's marker


def _read_marker(path: Path) -> list[str] | None:
    marker = path / MARKER
    if not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReportOutputError(f"{marker}: unreadable report marker ({exc}); remove it or pass --overwrite") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ReportOutputError(f"{marker}: not a newskit report marker; remove it or pass --overwrite")
    return files


def _legacy_report(path: Path) -> list[str] | None:
    """Files of a report written before the marker existed (``index.html`` titled "newskit report"):
    the index, each page with its executed notebook, and the widget scripts."""
    index = path / "index.html"
    try:
        head = index.read_text(encoding="utf-8", errors="replace")[:2000] if index.is_file() else ""
    except OSError:
        return None
    if "<title>newskit report</title>" not in head:
        return None
    pages = [p.name for p in path.glob("*.html") if p.name != "index.html" and p.with_suffix(".ipynb").is_file()]
    notebooks = [p[:-5] + ".ipynb" for p in pages]
    static = [f"_static/{p.name}" for p in (path / "_static").glob("*") if p.is_file()]
    return ["index.html", *pages, *notebooks, *static]


def _write_marker(path: Path, files: Iterable[str]) -> None:
    data = {"newskit_report": 1, "files": sorted(set(files))}
    fd, tmp = tempfile.mkstemp(prefix=".newskit-report-", dir=path)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, indent=1)
    os.replace(tmp, path / MARKER)


def prepare_output(out: str | os.PathLike, *, overwrite: bool = False) -> OutputFolder:
    """Check (and create) the output folder before anything runs.

    Parameters
    ----------
    out : path
    overwrite : bool
        Write into a non-empty folder that is not a newskit report (its files are left in place;
        files with the report's names are replaced).

    Returns
    -------
    OutputFolder

    Raises
    ------
    ReportOutputError
        ``out`` is a file, cannot be created or written, or is a non-empty folder without the
        marker of a newskit report (and ``overwrite`` is False).
    """
    path = Path(out).expanduser()
    if path.exists() and not path.is_dir():
        raise ReportOutputError(f"-o {out}: is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise ReportOutputError(f"-o {out}: a parent of the folder is a file") from None
    except OSError as exc:
        raise ReportOutputError(f"-o {out}: cannot create the folder ({exc.strerror or exc})") from None
    path = path.resolve()
    if not os.access(path, os.W_OK | os.X_OK):
        raise ReportOutputError(f"-o {out}: the folder is not writable")
    try:  # os.access can be wrong (read-only mounts, ACLs): try for real
        fd, probe = tempfile.mkstemp(prefix=".newskit-write-test-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ReportOutputError(f"-o {out}: cannot write into the folder ({exc.strerror or exc})") from None
    previous = _read_marker(path)
    if previous is None:
        previous = _legacy_report(path)
    if previous is None:
        others = sorted(p.name for p in path.iterdir() if p.name not in _KEPT)
        if others and not overwrite:
            shown = ", ".join(others[:5]) + (f", … ({len(others)} entries)" if len(others) > 5 else "")
            raise ReportOutputError(
                f"-o {out}: the folder is not empty and is not a newskit report ({shown}); "
                "choose an empty or new folder, or pass --overwrite to write into it anyway")
        previous = []
    _write_marker(path, previous)  # claim the folder now: a run that stops half-way can be redone
    return OutputFolder(path=path, files=previous)


def finish_output(out: str | os.PathLike, written: Iterable[str], *, previous: Iterable[str] = ()) -> list[str]:
    """Record what this report wrote and remove the stale files of the previous report.

    Parameters
    ----------
    out : path
        The folder given to :func:`prepare_output`.
    written : list of str
        Paths (relative to ``out``) written by this report.
    previous : list of str
        What the previous report wrote (:attr:`OutputFolder.files`).

    Returns
    -------
    list of str
        The stale files removed: listed by the previous report, not written by this one. Only
        regular files inside ``out`` are removed, never folders or links leaving it.
    """
    path = Path(out).resolve()
    written = {str(Path(w)) for w in written}
    removed = []
    for rel in sorted(set(previous) - written):
        target = path / rel
        try:
            inside = target.parent.resolve().is_relative_to(path) and ".." not in Path(rel).parts
        except OSError:
            inside = False
        if inside and (target.is_file() or target.is_symlink()) and target.name not in _KEPT:
            target.unlink()
            removed.append(rel)
    _write_marker(path, written)
    return removed

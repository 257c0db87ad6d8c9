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
    # corpus (data in)
    "load_corpus": "newskit.corpus",
    "CorpusError": "newskit.corpus",
    # text
    "sentences": "newskit.text",
    "tokenize": "newskit.text",
    # data model
    "Annotations": "newskit.annotations",
    # pipeline
    "annotate": "newskit.pipeline.engine",
    "annotate_to": "newskit.pipeline.engine",
    "Step": "newskit.pipeline.steps",
    "default_steps": "newskit.pipeline.steps",
    # sentiment models
    "sentence_sentiment": "newskit.sentiment",
    "score_targets": "newskit.sentiment",
    "resolve_dates": "newskit.dates",
    "explain_actor": "newskit.actors",
    # analyses
    "estimate": "newskit.analysis._estimate",
    "entity_frequency": "newskit.analysis.frequency",
    "cooccurrence": "newskit.analysis.frequency",
    "kwic": "newskit.analysis.frequency",
    "timeline": "newskit.analysis.timelines",
    "peaks": "newskit.analysis.timelines",
    "event_timeline": "newskit.analysis.events",
    "actor_sentiment": "newskit.analysis.portrayal",
    "compare_sources": "newskit.analysis.portrayal",
    "mention_examples": "newskit.analysis.portrayal",
    "PartsFolder": "newskit.analysis.parquet",
    "open_annotations": "newskit.analysis.parquet",
    # quotes: who said what
    "find_quotes": "newskit.quotes",
    "quotes_table": "newskit.quotes",
    "quote_frequency": "newskit.analysis.quotes",
    "who_talks_about_whom": "newskit.analysis.quotes",
    "quotes_of": "newskit.analysis.quotes",
    # plots
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

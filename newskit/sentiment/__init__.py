"""Sentiment models: sentence sentiment (VADER) and target-dependent sentiment of mentions.

* :func:`sentence_sentiment` — VADER compound and shares per sentence (:mod:`.vader`).
* :func:`score_targets` / :func:`score_mentions` — how a sentence portrays the entity at a span
  (:mod:`.target_model`, features in :mod:`.features`).

Aggregates over mentions (``actor_sentiment``, ``compare_sources``) are analyses:
:mod:`newskit.analysis.portrayal`.

>>> score_targets("The talks were a success.", [(4, 9)], method="sentence")["sentiment"].tolist()
['positive']
"""
from __future__ import annotations

from newskit.sentiment.features import target_features
from newskit.sentiment.labels import LABELS, SENTENCE_THRESHOLDS, SENTIMENT_COLUMNS, label_scores
from newskit.sentiment.target_model import MODEL_PATH, model_version, score_mentions, score_targets
from newskit.sentiment.vader import sentence_sentiment

__all__ = ["sentence_sentiment", "score_targets", "score_mentions", "label_scores", "target_features",
           "model_version", "LABELS", "SENTIMENT_COLUMNS", "SENTENCE_THRESHOLDS", "MODEL_PATH"]

"""Sentiment classes and thresholds shared by the sentiment models.

>>> label_scores([-0.5, 0.01, 0.3], band=0.05).tolist()
['negative', 'neutral', 'positive']
"""
from __future__ import annotations

import numpy as np

__all__ = ["LABELS", "SENTIMENT_COLUMNS", "SENTENCE_THRESHOLDS", "label_scores"]

SENTIMENT_COLUMNS = ["compound", "pos", "neg", "neu"]
LABELS = ("negative", "neutral", "positive")


#: Thresholds of the whole-sentence baseline (``method="sentence"``): negative when
#: compound <= -0.02, positive when >= 0.36, else neutral; tuned for macro-F1 on NewsMTSC train
#: by ``scripts/eval_targets.py`` (news prose is mildly positive in VADER's lexicon).
SENTENCE_THRESHOLDS = (-0.02, 0.36)



def label_scores(scores, *, band: float = 0.05) -> np.ndarray:
    """Labels ``negative``/``neutral``/``positive`` for scores: neutral when ``|score| < band``.

    >>> label_scores([-0.5, 0.01, 0.3], band=0.05).tolist()
    ['negative', 'neutral', 'positive']
    """
    s = np.asarray(scores, dtype="float64")
    out = np.full(s.shape, "neutral", dtype=object)
    out[s <= -band] = "negative"
    out[s >= band] = "positive"
    return out


"""Analyses: short functions from annotation tables to a table.

=====================  ==========================================================================
module                 functions
=====================  ==========================================================================
``_estimate``          :func:`estimate` — the one estimator of means, shares and their intervals
``frequency``          :func:`entity_frequency`, :func:`cooccurrence`, :func:`kwic`
``timelines``          :func:`timeline`, :func:`peaks`
``events``             :func:`event_timeline`
``portrayal``          :func:`actor_sentiment`, :func:`compare_sources`, :func:`mention_examples`
``quotes``             :func:`quote_frequency`, :func:`who_talks_about_whom`, :func:`quotes_of`
``parquet``            :class:`PartsFolder`, :class:`DaskParts`, :func:`open_annotations`, :func:`rows_of` — the same
                       analyses over an annotations folder, out of core (DuckDB; Dask)
=====================  ==========================================================================

>>> from newskit.analysis import estimate, timeline
>>> callable(estimate) and callable(timeline)
True
"""
from __future__ import annotations

from newskit.analysis._estimate import estimate
from newskit.analysis.events import event_timeline
from newskit.analysis.parquet import DaskParts, PartsFolder, open_annotations, rows_of
from newskit.analysis.frequency import cooccurrence, entity_frequency, kwic
from newskit.analysis.portrayal import actor_sentiment, compare_sources, mention_examples
from newskit.analysis.quotes import quote_frequency, quotes_of, who_talks_about_whom
from newskit.analysis.timelines import peaks, timeline

__all__ = ["estimate", "entity_frequency", "cooccurrence", "kwic", "timeline", "peaks", "event_timeline",
           "actor_sentiment", "compare_sources", "mention_examples", "quote_frequency", "who_talks_about_whom",
           "quotes_of",
           "PartsFolder", "DaskParts", "open_annotations", "rows_of"]

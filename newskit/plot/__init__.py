"""newskit's figures: a table in, a matplotlib ``Axes`` out — one module per analysis, one style.

=================  ==========================================================================
module             what
=================  ==========================================================================
``style``          palettes (one colour per actor and per outlet across a report), literal text
                   (no mathtext from data), date axes
``corpus``         articles per outlet, article lengths (outliers listed, not stretching the axis)
``frequency``      actor frequency bars, actor × group heatmaps, co-occurrence heatmap / network
``timeline``       coverage over time (peaks of what is drawn), sentiment over time, event dates
``sentiment``      actors ranked by mean sentiment, outlet × actor heatmap, lines per actor or outlet
``quotes``         most quoted actors (with CIs), quotes by actor type, who talks about whom (heatmap, network)
``choices``        defaults a report picks (the event-timeline place, spread KWIC samples)
``tables``         escaped Styler tables, long tables whole in a scrollable block
=================  ==========================================================================

A report calls :func:`use_palette` once per notebook with the whole corpus' annotations; every
plot and widget then gives each actor (and outlet) the same colour on every page.

>>> import newskit.plot as nplot
>>> sorted(nplot.current_palette())
['actor', 'outlet']
"""
from __future__ import annotations

from newskit.plot.choices import default_place
from newskit.plot.corpus import length_limit, length_outliers, plot_counts, plot_length_distribution
from newskit.plot.frequency import plot_actor_by_group, plot_cooccurrence, plot_entity_frequency
from newskit.plot.quotes import (plot_quote_frequency, plot_quote_network, plot_quotes_by_type,
                                 plot_who_talks_about_whom)
from newskit.plot.sentiment import (plot_actor_sentiment, plot_sentiment_by_outlet, plot_sentiment_heatmap,
                                    plot_sentiment_lines, select_actors)
from newskit.plot.style import (Palette, actor_palette, colour, colours, current_palette, literal,
                                outlet_palette, use_palette)
from newskit.plot.tables import scroll_table, styled, table_html
from newskit.plot.timeline import (coverage_window, plot_event_timeline, plot_reported_vs_happened,
                                   plot_sentiment_timeline, plot_timeline, recent_events,
                                   reported_vs_happened_caption, split_event_dates, total_peaks)

__all__ = [
    "Palette", "actor_palette", "colour", "colours", "coverage_window", "current_palette", "default_place",
    "length_limit", "length_outliers", "literal", "outlet_palette", "plot_actor_by_group",
    "plot_actor_sentiment", "plot_cooccurrence", "plot_counts", "plot_entity_frequency",
    "plot_event_timeline", "plot_length_distribution", "plot_quote_frequency", "plot_quote_network",
    "plot_quotes_by_type", "plot_who_talks_about_whom", "plot_reported_vs_happened", "plot_sentiment_by_outlet",
    "plot_sentiment_heatmap", "plot_sentiment_lines", "plot_sentiment_timeline", "plot_timeline",
    "recent_events", "reported_vs_happened_caption", "scroll_table", "select_actors", "split_event_dates",
    "styled", "table_html", "total_peaks", "use_palette",
]

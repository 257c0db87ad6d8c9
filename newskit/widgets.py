"""ipywidgets controls, each redrawing into an ``ipywidgets.Output``.

Every explorer pairs with a static figure for its default choice in the notebook, so that the
rendered HTML is complete without a kernel. The figures come from :mod:`newskit.plot`, so each actor
and outlet keeps its report colour (:func:`newskit.plot.use_palette`). After each redraw
``box.axes`` is the Axes just drawn (what the Output shows).
"""
from __future__ import annotations

from typing import Any, Sequence


def _show(fig) -> None:
    import matplotlib.pyplot as plt

    plt.show()
    plt.close(fig)


# --------------------------------------------------------------------------- entities
def entity_explorer(ann: Any, *, top: int = 15, actor: str | None = None, kwic_rows: int = 10, seed: int = 0):
    """Entity explorer: actor type, outlet and top-N controls redraw the frequency bars; the actor
    control shows its merged surface forms and keyword-in-context lines (a seeded sample spread
    across articles and outlets).

    Parameters
    ----------
    ann : Annotations
    top : int
        Initial number of bars.
    actor : str, optional
        Initial actor (default: the most frequent).
    kwic_rows : int
        Keyword-in-context lines shown.
    seed : int
        Seed of the KWIC sample.

    Returns
    -------
    ipywidgets.VBox
        Controls and an ``Output``; ``box.output`` is the Output, ``box.redraw()`` redraws, ``box.axes``
        the last figure's Axes, ``box.kwic`` the KWIC lines shown, ``box.type``, ``box.outlet``,
        ``box.top``, ``box.actor`` the controls.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from newskit import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a"], "text": ["Kyiv and Lviv."], "source": ["x.example"],
    ...                      "outlet": ["X"], "title": ["T"], "date": [pd.Timestamp("2023-01-02")]})
    >>> men = pd.DataFrame({"article_id": ["a", "a"], "sent_id": [0, 0], "start": [0, 9], "end": [4, 13],
    ...                     "text": ["Kyiv", "Lviv"], "label": ["GPE", "GPE"], "actor": ["Kyiv", "Lviv"],
    ...                     "actor_type": ["place", "place"]})
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # no kernel here: the Output would print
    ...     box = entity_explorer(Annotations(articles=arts, mentions=men), top=5)
    >>> [t.get_text() for t in box.axes.get_yticklabels()]
    ['Lviv', 'Kyiv']
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from newskit.analysis.frequency import entity_frequency, kwic
    from newskit.plot import plot_entity_frequency, styled

    arts = ann.articles
    outlet_col = "outlet" if "outlet" in arts.columns else ("source" if "source" in arts.columns else None)
    outlets = ["(all)"] + (sorted(arts[outlet_col].dropna().astype(str).unique()) if outlet_col else [])
    types = ["(all)"] + sorted(ann.mentions["actor_type"].dropna().unique())
    freq_all = entity_frequency(ann)
    actors = freq_all["actor"].head(200).tolist()
    type_w = w.Dropdown(options=types, value="(all)", description="Type")
    outlet_w = w.Dropdown(options=outlets, value="(all)", description="Outlet")
    top_w = w.IntSlider(value=top, min=5, max=50, step=1, description="Top N")
    actor_w = w.Dropdown(options=actors, value=actor if actor in actors else (actors[0] if actors else None),
                         description="Actor")
    out = w.Output()
    box = w.VBox([w.HBox([type_w, outlet_w]), w.HBox([top_w, actor_w]), out])

    def redraw(*_):
        sub = ann if outlet_w.value == "(all)" else ann.filter(sources=[outlet_w.value])
        t = None if type_w.value == "(all)" else type_w.value
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(7, max(3, 0.3 * top_w.value + 1)))
            plot_entity_frequency(entity_frequency(sub, types=t), ax=ax, top=top_w.value,
                                  title=f"Top {top_w.value} actors — {outlet_w.value}, {type_w.value}")
            box.axes = ax
            _show(fig)
            if actor_w.value:
                display(styled(sub.explain_actor(actor_w.value).head(15)))
                box.kwic = kwic(sub, actor_w.value, width=50, top=kwic_rows, spread=True, seed=seed)
                display(styled(box.kwic))

    for c in (type_w, outlet_w, top_w, actor_w):
        c.observe(redraw, names="value")
    box.output, box.redraw = out, redraw
    box.type, box.outlet, box.top, box.actor = type_w, outlet_w, top_w, actor_w
    redraw()
    return box


# --------------------------------------------------------------------------- timelines
def _period_end(start, freq: str):
    import pandas as pd

    step = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}
    return start + step[freq[:1].upper()] - pd.Timedelta(days=1)


def timeline_explorer(ann: Any, *, freq: str = "W", metric: str = "mentions", actors: Sequence[str] | None = None,
                      top: int = 5, kind: str = "line"):
    """Timeline explorer: a date-range slider over the periods and an actor selector redraw a timeline.

    Parameters
    ----------
    ann : Annotations
    freq : {"D", "W", "M"}
    metric : {"articles", "mentions", "sentiment"}
        ``sentiment`` draws lines with confidence bands.
    actors : list of str, optional
        Initially selected actors (default: the ``top`` most-mentioned).
    top : int
    kind : {"line", "stacked"}

    Returns
    -------
    ipywidgets.VBox
        Controls and an ``Output``; ``box.output`` is the Output, ``box.redraw()`` redraws,
        ``box.axes`` the last figure's Axes, ``box.range`` and ``box.actors`` the controls.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from newskit import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["", ""], "source": ["x", "x"], "title": ["A", "B"],
    ...                      "date": pd.to_datetime(["2023-01-02", "2023-01-10"])})
    >>> men = pd.DataFrame({"article_id": ["a", "b", "b"], "sent_id": [0, 0, 0], "start": [0, 0, 5],
    ...                     "end": [4, 4, 9], "text": ["Kyiv"] * 3, "label": ["GPE"] * 3, "actor": ["Kyiv"] * 3,
    ...                     "actor_type": ["place"] * 3})
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # no kernel here: the Output would print
    ...     box = timeline_explorer(Annotations(articles=arts, mentions=men))
    >>> box.axes.lines[0].get_ydata().tolist()
    [1.0, 2.0]
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from newskit.analysis.timelines import timeline
    from newskit.plot import plot_sentiment_timeline, plot_timeline

    names = ann.mentions["actor"].dropna().value_counts()
    options = names.head(max(50, top)).index.tolist()
    chosen = [a for a in (actors or options[:top]) if a in options] or options[:1]
    base = timeline(ann, freq=freq, metric="articles")
    periods = list(base["period"])
    labels = [(p.strftime("%Y-%m-%d"), p) for p in periods] or [("(none)", None)]
    range_w = w.SelectionRangeSlider(options=labels, index=(0, len(labels) - 1), description="Periods",
                                     layout=w.Layout(width="95%"), continuous_update=False)
    actors_w = w.SelectMultiple(options=options, value=tuple(chosen), rows=6, description="Actors")
    out = w.Output()
    box = w.VBox([range_w, actors_w, out])
    box.axes = None

    def redraw(*_):
        lo, hi = range_w.value
        sel = list(actors_w.value)
        with out:
            out.clear_output(wait=True)
            if not sel or lo is None:
                print("Select at least one actor.")
                return
            t = timeline(ann, freq=freq, by="actor", metric=metric, actors=sel, date_from=lo,
                         date_to=_period_end(hi, freq))
            fig, ax = plt.subplots(figsize=(9, 4.5))
            if metric == "sentiment":
                plot_sentiment_timeline(t, ax=ax)
            else:
                plot_timeline(t, ax=ax, kind=kind, annotate_peaks=1, headlines=ann)
            box.axes = ax
            _show(fig)

    range_w.observe(redraw, names="value")
    actors_w.observe(redraw, names="value")
    box.output, box.redraw, box.range, box.actors = out, redraw, range_w, actors_w
    redraw()
    return box


# --------------------------------------------------------------------------- sentiment by actor
PER_OUTLET = "(each outlet)"


def sentiment_explorer(ann: Any, *, actor: str | None = None, source: str | None = None, by: str = "month",
                       min_mentions: int = 5, k: int = 3, n_boot: int = 500):
    """Sentiment explorer: an actor and an outlet selector redraw the actor's sentiment over time
    (mean with 95% CI band; ``"(each outlet)"`` draws one line per outlet) and list the most negative /
    most positive example sentences.

    Parameters
    ----------
    ann : Annotations
    actor : str, optional
        Initial actor (default: the most mentioned).
    source : str, optional
        Initial outlet (default: all outlets together; :data:`PER_OUTLET` for one line per outlet).
    by : {"month", "week"}
    min_mentions : int
        Periods with fewer mentions are not drawn.
    k : int
        Example sentences of each kind.
    n_boot : int
        Bootstrap resamples of the intervals.

    Returns
    -------
    ipywidgets.VBox
        Controls and an ``Output``; ``box.output`` is the Output, ``box.redraw()`` redraws,
        ``box.axes`` the last figure's Axes, ``box.actor`` and ``box.source`` the controls.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from newskit import Annotations
    >>> arts = pd.DataFrame({"article_id": ["a", "b"], "text": ["Kyiv.", "Kyiv."], "source": ["x", "y"],
    ...                      "outlet": ["X", "Y"], "date": pd.to_datetime(["2023-01-02", "2023-01-03"])})
    >>> sents = pd.DataFrame({"article_id": ["a", "b"], "sent_id": [0, 0], "start": [0, 0], "end": [5, 5],
    ...                       "text": ["Kyiv.", "Kyiv."]})
    >>> men = pd.DataFrame({"article_id": ["a", "b"], "sent_id": [0, 0], "start": [0, 0], "end": [4, 4],
    ...                     "text": ["Kyiv"] * 2, "label": ["GPE"] * 2, "actor": ["Kyiv"] * 2,
    ...                     "actor_type": ["place"] * 2, "score": [0.5, -0.5], "sentiment": ["positive", "negative"]})
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # no kernel here: the Output would print
    ...     box = sentiment_explorer(Annotations(articles=arts, sentences=sents, mentions=men), min_mentions=1,
    ...                              source=PER_OUTLET, n_boot=10)
    >>> [(l.get_label(), l.get_ydata().tolist()) for l in box.axes.lines[:2]]
    [('X', [0.5]), ('Y', [-0.5])]
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    from newskit.analysis.portrayal import _scored, actor_sentiment, mention_examples
    from newskit.plot import plot_sentiment_by_outlet, plot_sentiment_lines
    from newskit.render import examples_html

    m = _scored(ann)
    names = m["actor"].value_counts()
    options = names.head(100).index.tolist()
    if not options:
        return w.VBox([w.HTML("<p>No scored mentions.</p>")])
    actor = actor if actor in options else options[0]
    col = "outlet" if "outlet" in m.columns else ("source" if "source" in m.columns else None)
    outlets = ["(all)"] + ([PER_OUTLET] + sorted(m[col].dropna().astype(str).unique()) if col else [])
    actor_w = w.Dropdown(options=options, value=actor, description="Actor")
    source_w = w.Dropdown(options=outlets, value=source if source in outlets else "(all)", description="Outlet")
    out = w.Output()
    box = w.VBox([w.HBox([actor_w, source_w]), out])

    def redraw(*_):
        sub = m[m["actor"] == actor_w.value]
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(9, 3.8))
            title = f"{actor_w.value} — {source_w.value}"
            if col and source_w.value == PER_OUTLET:
                table = actor_sentiment(sub, by=[col, by], min_mentions=min_mentions, n_boot=n_boot)
                plot_sentiment_by_outlet(table, actor=actor_w.value, by=col, time=by, ax=ax, title=title)
            else:
                if col and source_w.value != "(all)":
                    sub = sub[sub[col].astype(str) == source_w.value]
                table = actor_sentiment(sub, by=by, min_mentions=min_mentions, n_boot=n_boot)
                plot_sentiment_lines(table, ax=ax, time=by, title=title)
            box.axes = ax
            _show(fig)
            one = None if source_w.value in ("(all)", PER_OUTLET) else source_w.value
            display(HTML(examples_html(mention_examples(ann, actor_w.value, top=k, source=one))))

    actor_w.observe(redraw, names="value")
    source_w.observe(redraw, names="value")
    box.output, box.redraw, box.actor, box.source = out, redraw, actor_w, source_w
    redraw()
    return box

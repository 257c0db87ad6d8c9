"""ipywidgets controls, each redrawing into an ``ipywidgets.Output``.

Every explorer pairs with a static figure for its default choice in the notebook, so that the
rendered HTML is complete without a kernel.
"""
from __future__ import annotations


# --------------------------------------------------------------------------- entities
def entity_explorer(ann, *, top: int = 15, actor: str | None = None):
    """Entity explorer: actor type, outlet and top-N controls redraw the frequency bars; the actor
    control shows its merged surface forms and keyword-in-context lines.

    Parameters
    ----------
    ann : Annotations
    top : int
        Initial number of bars.
    actor : str, optional
        Initial actor (default: the most frequent).

    Returns
    -------
    ipywidgets.VBox
        Controls and an ``Output``; ``box.output`` is the Output, ``box.redraw()`` redraws.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import display

    from newskit.analysis.frequency import entity_frequency, kwic
    from newskit.plots import plot_entity_frequency

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

    def redraw(*_):
        sub = ann if outlet_w.value == "(all)" else ann.filter(sources=[outlet_w.value])
        t = None if type_w.value == "(all)" else type_w.value
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(7, max(3, 0.3 * top_w.value + 1)))
            plot_entity_frequency(entity_frequency(sub, types=t), ax=ax, top=top_w.value,
                                  title=f"Top {top_w.value} actors — {outlet_w.value}, {type_w.value}")
            plt.show()
            if actor_w.value:
                display(sub.explain_actor(actor_w.value).head(15))
                display(kwic(sub, actor_w.value, width=50, limit=10))

    for c in (type_w, outlet_w, top_w, actor_w):
        c.observe(redraw, names="value")
    box = w.VBox([w.HBox([type_w, outlet_w]), w.HBox([top_w, actor_w]), out])
    box.output = out
    box.redraw = redraw
    redraw()
    return box


# --------------------------------------------------------------------------- timelines
def timeline_explorer(ann, *, freq: str = "W", metric: str = "mentions", actors=None, top: int = 5,
                      kind: str = "line"):
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
        ``box.range`` and ``box.actors`` are the controls.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt

    from newskit.plots import plot_sentiment_timeline, plot_timeline
    from newskit.analysis.timelines import timeline

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

    def redraw(*_):
        lo, hi = range_w.value
        sel = list(actors_w.value)
        with out:
            out.clear_output(wait=True)
            if not sel or lo is None:
                print("Select at least one actor.")
                return
            end = hi + (pd_offset(freq)) - _one_day()
            t = timeline(ann, freq=freq, by="actor", metric=metric, actors=sel, date_from=lo, date_to=end)
            fig, ax = plt.subplots(figsize=(9, 4.5))
            if metric == "sentiment":
                plot_sentiment_timeline(t, ax=ax)
            else:
                plot_timeline(t, ax=ax, kind=kind, annotate_peaks=1, headlines=ann)
            plt.show()

    def pd_offset(f):
        import pandas as pd

        return {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}[f[:1].upper()]

    def _one_day():
        import pandas as pd

        return pd.Timedelta(days=1)

    range_w.observe(redraw, names="value")
    actors_w.observe(redraw, names="value")
    box = w.VBox([range_w, actors_w, out])
    box.output = out
    box.redraw = redraw
    box.range = range_w
    box.actors = actors_w
    redraw()
    return box


# --------------------------------------------------------------------------- sentiment by actor
def sentiment_explorer(ann, *, actor: str | None = None, source: str | None = None, by: str = "month",
                       min_mentions: int = 5, k: int = 3, n_boot: int = 500):
    """Sentiment explorer: an actor and an outlet selector redraw the actor's sentiment over time
    (mean with 95% CI band) and list the most negative / most positive example sentences.

    Parameters
    ----------
    ann : Annotations
    actor : str, optional
        Initial actor (default: the most mentioned).
    source : str, optional
        Initial outlet (default: all outlets).
    by : {"month", "week"}
    min_mentions : int
        Periods with fewer mentions are not drawn.
    k : int
        Example sentences of each kind.

    Returns
    -------
    ipywidgets.VBox
        Controls and an ``Output``; ``box.output`` is the Output, ``box.redraw()`` redraws,
        ``box.actor`` and ``box.source`` are the controls.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import HTML, display

    from newskit.plots import plot_sentiment_lines
    from newskit.analysis.portrayal import _scored, actor_sentiment, mention_examples
    from newskit.render import examples_html

    m = _scored(ann)
    names = m["actor"].value_counts()
    options = names.head(100).index.tolist()
    if not options:
        return w.VBox([w.HTML("<p>No scored mentions.</p>")])
    actor = actor if actor in options else options[0]
    col = "outlet" if "outlet" in m.columns else ("source" if "source" in m.columns else None)
    outlets = ["(all)"] + (sorted(m[col].dropna().astype(str).unique()) if col else [])
    actor_w = w.Dropdown(options=options, value=actor, description="Actor")
    source_w = w.Dropdown(options=outlets, value=source if source in outlets else "(all)", description="Outlet")
    out = w.Output()

    def redraw(*_):
        sub = m[m["actor"] == actor_w.value]
        if col and source_w.value != "(all)":
            sub = sub[sub[col].astype(str) == source_w.value]
        with out:
            out.clear_output(wait=True)
            table = actor_sentiment(sub, by=by, min_mentions=min_mentions, n_boot=n_boot)
            fig, ax = plt.subplots(figsize=(9, 3.8))
            plot_sentiment_lines(table, ax=ax, title=f"{actor_w.value} — {source_w.value}")
            plt.show()
            plt.close(fig)
            ex = mention_examples(ann, actor_w.value, top=k,
                                  source=None if source_w.value == "(all)" else source_w.value)
            display(HTML(examples_html(ex)))

    actor_w.observe(redraw, names="value")
    source_w.observe(redraw, names="value")
    box = w.VBox([w.HBox([actor_w, source_w]), out])
    box.output, box.redraw, box.actor, box.source = out, redraw, actor_w, source_w
    redraw()
    return box

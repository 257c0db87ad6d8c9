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

    from newskit.entities import entity_frequency, kwic
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

"""The labelling widget for Jupyter (ipywidgets imported only inside it) and the sample table."""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from statistics import NormalDist
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from newskit.validation._common import _toy_annotations  # noqa: F401 (doctests)

from newskit.validation.labels import LabelSession

def item_html(row: pd.Series) -> str:
    """The sentence with the target highlighted, one sentence of context either side (escaped HTML).

    Examples
    --------
    >>> r = pd.Series({"sentence": "<b>Ana</b> won.", "target_start": 3, "target_end": 6,
    ...                "context_before": "", "context_after": "", "actor": "Ana"})
    >>> "&lt;b&gt;<mark" in item_html(r)
    True
    """
    s = str(row["sentence"])
    a, b = int(row["target_start"]), int(row["target_end"])
    main = (html.escape(s[:a]) + '<mark class="newskit-target" style="background:#ffe08a;font-weight:bold">'
            + html.escape(s[a:b]) + "</mark>" + html.escape(s[b:]))
    ctx = 'style="color:#777"'
    before = html.escape(str(row.get("context_before", "") or ""))
    after = html.escape(str(row.get("context_after", "") or ""))
    return (f'<div class="newskit-item" style="font-size:1.1em;line-height:1.5;max-width:60em">'
            f'<span {ctx}>{before}</span> <span class="newskit-sentence">{main}</span> '
            f'<span {ctx}>{after}</span><div style="color:#555;margin-top:.4em">target: '
            f'<b>{html.escape(str(row.get("actor", "")))}</b></div></div>')


KEYS = {"1": "negative", "2": "neutral", "3": "positive", "s": "skip", "u": "unsure"}


def label_widget(sample: pd.DataFrame, folder: str | os.PathLike, *, annotator: str = "annotator"):
    """A Jupyter widget to label the sample: how does the sentence portray the highlighted target?

    Buttons *negative / neutral / positive / skip / unsure / back*, and keyboard shortcuts typed
    into the focused key box: ``1`` negative, ``2`` neutral, ``3`` positive, ``s`` skip,
    ``u`` unsure, ``b`` back (undo). ipywidgets has no key events: the key box is a ``Text`` with
    ``continuous_update``, whose value is read and cleared at every keystroke. Each answer is
    appended to ``folder/labels_<annotator>.csv`` and fsync'ed at once, so nothing is lost if the
    kernel dies; reopening resumes at the first item without an answer. Two annotators label into
    two files (different ``annotator``).

    Parameters
    ----------
    sample : DataFrame
        From :func:`sample` or :func:`load_sample`.
    folder : path
        Folder of the label files (created).
    annotator : str
        Name of the person labelling (letters, digits, ``_-.``): the file name.

    Returns
    -------
    ipywidgets.VBox
        With ``.session`` (the :class:`LabelSession`), ``.key_box`` (the key box), ``.redraw()``.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> box = label_widget(s, tempfile.mkdtemp(), annotator="ann")
    >>> box.key_box.value = "3"  # what typing 3 in the key box does
    >>> box.session.progress(), box.session.answers[s["item_id"][0]]
    ('1 of 3', 'positive')
    """
    import ipywidgets as w

    ses = LabelSession(sample, folder, annotator=annotator)
    progress = w.HTML()
    text = w.HTML()
    status = w.HTML()
    keys = w.Text(value="", placeholder="click here, then type 1 / 2 / 3 / s / u / b", continuous_update=True,
                  description="keys", layout=w.Layout(width="28em"))
    keys.add_class("newskit-label-keys")
    buttons = []
    for key, lab, style in (("1", "negative", "danger"), ("2", "neutral", ""), ("3", "positive", "success"),
                            ("s", "skip", "warning"), ("u", "unsure", "info"), ("b", "back", "")):
        btn = w.Button(description=f"{lab} ({key})", button_style=style, layout=w.Layout(width="9em"))
        btn.add_class(f"newskit-label-{lab}")
        btn.on_click(lambda _b, k=key: act(k))
        buttons.append(btn)

    def redraw(msg: str = "") -> None:
        row = ses.current()
        progress.value = (f'<b class="newskit-label-progress">{ses.progress()}</b> labelled'
                          + ("" if row is None else f" — item {ses.position + 1}"))
        text.value = ("<p><b>Every item has an answer.</b> Press back (b) to revise the last one.</p>"
                      if row is None else item_html(row))
        status.value = f'<span class="newskit-label-status" style="color:#555">{html.escape(msg)}</span>'

    def act(key: str) -> None:
        if key == "b":
            ses.back()
            redraw("undone: the previous answer was retracted")
        elif key in KEYS:
            if ses.done:
                redraw("nothing left to label")
                return
            ses.answer(KEYS[key])
            redraw(f"saved: {KEYS[key]} → {ses.path.name}")

    def on_key(change) -> None:
        typed = change["new"]
        if not typed:
            return
        keys.value = ""
        for ch in typed.lower():
            if ch in KEYS or ch == "b":
                act(ch)

    keys.observe(on_key, names="value")
    redraw("resumed" if ses.answers else "")
    box = w.VBox([progress, text, w.HBox(buttons), keys, status])
    box.add_class("newskit-label-widget")
    box.session, box.key_box, box.redraw = ses, keys, redraw
    return box


def sample_table(s: pd.DataFrame, *, labels: pd.DataFrame | None = None, limit: int = 20) -> pd.DataFrame:
    """A static view of the sample (first ``limit`` rows in labelling order) with current answers.

    Examples
    --------
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> list(sample_table(s).columns)
    ['order', 'actor', 'sentence', 'weight', 'label']
    """
    t = s.sort_values("order").head(limit)
    lab = pd.Series(dtype=object)
    if labels is not None and len(labels):
        lab = labels.drop_duplicates("item_id", keep="last").set_index("item_id")["label"]
    return pd.DataFrame({"order": t["order"], "actor": t["actor"], "sentence": t["sentence"],
                         "weight": t["weight"], "label": t["item_id"].map(lab).fillna("")}).reset_index(drop=True)




from newskit.validation.sampling import sample  # noqa: E402,F401 (used by the examples above)

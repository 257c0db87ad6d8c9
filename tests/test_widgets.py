"""newskit.widgets: each explorer draws what its controls say, in the report's colours."""
from __future__ import annotations

import contextlib
import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

pytest.importorskip("ipywidgets")

import newskit.plot as nplot  # noqa: E402
from newskit import widgets  # noqa: E402

from newskit.annotations import Annotations


def quiet(fn, *args, **kwargs):
    """Widgets outside a kernel: the Output does not capture, so swallow what it would show."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args, **kwargs)


@pytest.fixture()
def ann():
    """Six articles from two outlets over two months; my own sentences, invented places and people."""
    rows = [  # article, outlet, date, sentence, [(actor, type, score)]
        ("a1", "North", "2023-01-02", "Gradensk was shelled and Mira Tal condemned it.",
         [("Gradensk", "place", -0.6), ("Mira Tal", "person", -0.2)]),
        ("a2", "North", "2023-01-09", "Gradensk rebuilt its bridge, Gradensk officials said.",
         [("Gradensk", "place", 0.4), ("Gradensk", "place", 0.2)]),
        ("a3", "South", "2023-01-10", "Mira Tal praised Gradensk.", [("Mira Tal", "person", 0.5),
                                                                      ("Gradensk", "place", 0.6)]),
        ("a4", "South", "2023-02-06", "Kirnovo welcomed Mira Tal.", [("Kirnovo", "place", 0.3),
                                                                     ("Mira Tal", "person", 0.3)]),
        ("a5", "North", "2023-02-07", "Gradensk and Kirnovo lost power.", [("Gradensk", "place", -0.4),
                                                                           ("Kirnovo", "place", -0.4)]),
        ("a6", "South", "2023-02-20", "Gradensk voted.", [("Gradensk", "place", 0.0)]),
    ]
    arts, sents, ments = [], [], []
    for aid, outlet, date, text, hits in rows:
        arts.append({"article_id": aid, "title": f"Title {aid}", "date": pd.Timestamp(date), "url": f"https://{outlet}.example/{aid}",
                     "source": f"{outlet.lower()}.example", "outlet": outlet, "text": text, "n_paragraphs": 1,
                     "n_words": len(text.split()), "path": f"{aid}.txt"})
        sents.append({"article_id": aid, "sent_id": 0, "start": 0, "end": len(text), "text": text,
                      "compound": 0.0, "pos": 0.0, "neg": 0.0, "neu": 1.0})
        pos = 0
        for actor, typ, score in hits:
            start = text.index(actor, pos)
            pos = start + len(actor)
            ments.append({"article_id": aid, "sent_id": 0, "start": start, "end": pos, "text": actor,
                          "label": "GPE" if typ == "place" else "PERSON", "score": score,
                          "sentiment": "negative" if score < -0.05 else ("positive" if score > 0.05 else "neutral"),
                          "actor": actor, "actor_type": typ})
    a = Annotations(articles=pd.DataFrame(arts), sentences=pd.DataFrame(sents), mentions=pd.DataFrame(ments))
    nplot.use_palette(a)
    yield a
    nplot.use_palette()
    plt.close("all")


def bars(ax) -> dict[str, float]:
    return {t.get_text().split(" (")[0]: float(p.get_width()) for t, p in zip(ax.get_yticklabels(), ax.patches)}


def test_entity_explorer_redraws_bars_for_each_control(ann):
    box = quiet(widgets.entity_explorer, ann, top=5)
    assert bars(box.axes) == {"Gradensk": 6.0, "Mira Tal": 3.0, "Kirnovo": 2.0}
    assert [mcolors.to_hex(p.get_facecolor()) for p in box.axes.patches] == \
        [nplot.colour("Kirnovo"), nplot.colour("Mira Tal"), nplot.colour("Gradensk")]
    quiet(setattr, box.outlet, "value", "South")
    assert bars(box.axes) == {"Gradensk": 2.0, "Mira Tal": 2.0, "Kirnovo": 1.0}
    quiet(setattr, box.type, "value", "person")
    assert bars(box.axes) == {"Mira Tal": 2.0}
    assert box.axes.get_title() == "Top 5 actors — South, person"
    quiet(setattr, box.type, "value", "(all)")
    quiet(setattr, box.outlet, "value", "(all)")
    box.top.min = 1
    quiet(setattr, box.top, "value", 2)
    assert list(bars(box.axes)) == ["Mira Tal", "Gradensk"]


def test_entity_explorer_kwic_sample_spreads_across_articles(ann):
    box = quiet(widgets.entity_explorer, ann, actor="Gradensk", kwic_rows=5)
    assert sorted(box.kwic["article_id"]) == ["a1", "a2", "a3", "a5", "a6"]  # a2 has two hits, shown once
    assert (box.kwic["keyword"] == "Gradensk").all()
    quiet(setattr, box.outlet, "value", "South")
    assert sorted(box.kwic["article_id"]) == ["a3", "a6"]


def test_timeline_explorer_range_and_actor_controls(ann):
    box = quiet(widgets.timeline_explorer, ann, freq="W", actors=["Gradensk", "Mira Tal"])
    lines = {ln.get_label(): ln for ln in box.axes.lines if not ln.get_label().startswith("_")}
    assert set(lines) == {"Gradensk", "Mira Tal"}
    assert lines["Gradensk"].get_ydata().tolist() == [1, 3, 0, 0, 0, 1, 0, 1]  # weeks 2 Jan … 20 Feb
    assert mcolors.to_hex(lines["Mira Tal"].get_color()) == nplot.colour("Mira Tal")
    periods = box.range.options
    quiet(setattr, box.range, "index", (5, 7))  # 6 Feb … 20 Feb
    lines = {ln.get_label(): ln for ln in box.axes.lines if not ln.get_label().startswith("_")}
    days = [mdates.num2date(x).date().isoformat() for x in mdates.date2num(lines["Gradensk"].get_xdata())]
    assert days == ["2023-02-06", "2023-02-13", "2023-02-20"] and periods[5][0] == "2023-02-06"
    assert lines["Gradensk"].get_ydata().tolist() == [1, 0, 1]
    quiet(setattr, box.actors, "value", ("Kirnovo",))
    assert [ln.get_label() for ln in box.axes.lines if not ln.get_label().startswith("_")] == ["Kirnovo"]


def test_timeline_explorer_sentiment_lines(ann):
    box = quiet(widgets.timeline_explorer, ann, freq="M", metric="sentiment", actors=["Gradensk"])
    (line,) = [ln for ln in box.axes.lines if ln.get_label() == "Gradensk"]
    assert [round(v, 3) for v in line.get_ydata()] == [round((-0.6 + 0.4 + 0.2 + 0.6) / 4, 3), round(-0.4 / 2, 3)]
    assert mcolors.to_hex(line.get_color()) == nplot.colour("Gradensk")


def test_sentiment_explorer_pooled_one_outlet_and_each_outlet(ann):
    box = quiet(widgets.sentiment_explorer, ann, actor="Gradensk", min_mentions=1, n_boot=50)
    (line,) = [ln for ln in box.axes.lines if ln.get_label() == "Gradensk"]
    assert [round(v, 3) for v in line.get_ydata()] == [0.15, -0.2]
    quiet(setattr, box.source, "value", "North")
    (line,) = [ln for ln in box.axes.lines if ln.get_label() == "Gradensk"]
    assert [round(v, 3) for v in line.get_ydata()] == [0.0, -0.4]
    quiet(setattr, box.source, "value", widgets.PER_OUTLET)
    per = {ln.get_label(): [round(v, 3) for v in ln.get_ydata()] for ln in box.axes.lines
           if not ln.get_label().startswith("_")}
    assert per == {"North": [0.0, -0.4], "South": [0.6, 0.0]}
    colours = {ln.get_label(): mcolors.to_hex(ln.get_color()) for ln in box.axes.lines if ln.get_label() in per}
    assert colours == {o: nplot.colour(o, kind="outlet") for o in per}
    quiet(setattr, box.actor, "value", "Mira Tal")
    assert box.axes.get_title() == f"Mira Tal — {widgets.PER_OUTLET}"

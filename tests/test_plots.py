"""newskit.plot: what each figure draws (bars, lines, markers, colours, text), not just that it returns Axes."""
from __future__ import annotations

import colorsys
import zlib

import matplotlib

matplotlib.use("Agg")

import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import newskit.plot as nplot  # noqa: E402
from newskit.plot import style  # noqa: E402
from newskit.plot.timeline import EVENT_COLOUR, PEAK_GID, REPORTED_COLOUR  # noqa: E402

EVIL = "<img src=x onerror=alert(1)>"
DOLLARS = "US sends $1bn to Ukraine, EU adds $2bn"
BAD_MATH = r"$\frac{1 now$"


@pytest.fixture(autouse=True)
def _fresh():
    nplot.use_palette()
    yield
    nplot.use_palette()
    plt.close("all")


def hexes(colours) -> list[str]:
    return [mcolors.to_hex(c) for c in colours]


def line_of(ax, label):
    return next(ln for ln in ax.lines if ln.get_label() == label)


def bar_colours(ax) -> dict[str, str]:
    """Actor (tick label without the type suffix) → bar face colour, for horizontal bar charts."""
    labels = [t.get_text().split("  (n=")[0].split(" (")[0] for t in ax.get_yticklabels()]
    return dict(zip(labels, hexes(p.get_facecolor() for p in ax.patches)))


def drawn_text(text_artist) -> tuple[str, bool]:
    """What matplotlib will render for a Text, and whether it parses it as mathtext."""
    return text_artist._preprocess_math(text_artist.get_text())


def hue_name(hex_colour: str) -> str:
    r, g, b = mcolors.to_rgb(hex_colour)
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    h *= 360
    if s < 0.2:
        return "grey"
    if h < 20 or h >= 340:
        return "red"
    if h < 45:
        return "orange"
    if 180 <= h < 260:
        return "blue"
    return "other"


# --------------------------------------------------------------------------- palette
MENTIONS = pd.DataFrame({"actor": ["Vostria"] * 5 + ["Dravenia"] * 4 + ["Kirnovo"] * 3 + ["Lorvania"] * 2})
ARTICLES = pd.DataFrame({"outlet": ["Ledger Wire", "Coastline Herald", "Northstar News"],
                         "source": ["ledgerwire.example", "coastline-herald.example", "northstar-news.example"]})


def test_palette_ranks_actors_by_mentions_and_hashes_the_rest():
    p = nplot.actor_palette(MENTIONS)
    assert [p[a] for a in ("Vostria", "Dravenia", "Kirnovo", "Lorvania")] == list(style.ACTOR_COLOURS[:4])
    # an actor outside the ranking gets a colour fixed by its name alone (the same in every process)
    assert p["Nobody"] == style.ACTOR_COLOURS[zlib.crc32(b"Nobody") % len(style.ACTOR_COLOURS)]
    assert nplot.Palette(["x"])["Nobody"] == p["Nobody"]
    # ties are broken by name, so two notebooks ranking the same mentions agree
    tie = pd.DataFrame({"actor": ["b", "a"]})
    assert nplot.actor_palette(tie)["a"] == style.ACTOR_COLOURS[0]
    # the ranking takes as many actors as there are colours: the first 20 are all different
    many = pd.DataFrame({"actor": [f"a{i:02d}" for i in range(30) for _ in range(30 - i)]})
    ranked = nplot.actor_palette(many)
    assert len({ranked[f"a{i:02d}"] for i in range(20)}) == 20


def test_outlet_palette_sorted_names_and_hosts_share_a_colour():
    p = nplot.outlet_palette(ARTICLES)
    assert list(p)[:3] == ["Coastline Herald", "Ledger Wire", "Northstar News"]
    assert p["Coastline Herald"] == p["coastline-herald.example"] == style.OUTLET_COLOURS[0]
    assert p["Northstar News"] == style.OUTLET_COLOURS[2]


def test_same_actor_same_colour_on_every_figure():
    """Kirnovo is 1st in one figure, 2nd in another and 3rd in a third: one colour everywhere."""
    nplot.use_palette(MENTIONS)
    want = nplot.colour("Kirnovo")
    assert want == style.ACTOR_COLOURS[2]
    periods = pd.date_range("2023-01-02", periods=3, freq="W-MON")
    t1 = pd.DataFrame({"period": periods.repeat(2), "actor": ["Kirnovo", "Lorvania"] * 3, "value": [5, 1] * 3})
    t1.attrs.update(by="actor", metric="mentions", freq="W")
    t2 = pd.DataFrame({"period": periods.repeat(2), "actor": ["Vostria", "Kirnovo"] * 3, "value": [9, 1] * 3})
    t2.attrs.update(by="actor", metric="mentions", freq="W")
    ax1 = nplot.plot_timeline(t1)
    ax2 = nplot.plot_timeline(t2, kind="stacked")
    assert mcolors.to_hex(line_of(ax1, "Kirnovo").get_color()) == want
    stacks = dict(zip([t.get_text() for t in ax2.get_legend().get_texts()],
                      hexes(c.get_facecolor()[0] for c in ax2.collections)))
    assert stacks["Kirnovo"] == want and stacks["Vostria"] == style.ACTOR_COLOURS[0]
    freq = pd.DataFrame({"actor": ["Vostria", "Dravenia", "Kirnovo"], "actor_type": ["place"] * 3,
                         "mentions": [5, 4, 3]})
    assert bar_colours(nplot.plot_entity_frequency(freq))["Kirnovo"] == want
    sent = pd.DataFrame({"actor": ["Kirnovo", "Lorvania"], "n": [30, 20], "mean": [0.3, -0.2],
                         "ci_low": [0.1, -0.4], "ci_high": [0.5, 0.0]})
    assert bar_colours(nplot.plot_actor_sentiment(sent))["Kirnovo"] == want
    months = pd.DataFrame({"actor": ["Lorvania", "Kirnovo"], "month": pd.to_datetime(["2023-01-01"] * 2),
                           "mean": [0.1, 0.2], "ci_low": [0.0, 0.1], "ci_high": [0.2, 0.3]})
    assert mcolors.to_hex(line_of(nplot.plot_sentiment_lines(months), "Kirnovo").get_color()) == want
    st = pd.DataFrame({"period": periods, "actor": ["Kirnovo"] * 3, "value": [0.1, 0.2, 0.0],
                       "low": [0, 0, 0], "high": [0.3, 0.3, 0.3]})
    assert mcolors.to_hex(line_of(nplot.plot_sentiment_timeline(st), "Kirnovo").get_color()) == want
    co = pd.DataFrame({"actor_a": ["Kirnovo", "Dravenia"], "actor_b": ["Vostria", "Kirnovo"], "count": [3, 2]})
    ax = nplot.plot_cooccurrence(co, kind="network")
    nodes = dict(zip([t.get_text() for t in ax.texts], hexes(ax.collections[0].get_facecolor())))
    assert nodes["Kirnovo"] == want


def test_same_outlet_same_colour_on_every_figure():
    nplot.use_palette(ARTICLES)
    want = nplot.colour("Ledger Wire", kind="outlet")
    counts = pd.Series({"Ledger Wire": 3, "Northstar News": 5})
    ax = nplot.plot_counts(counts, colour_by="outlet")
    assert bar_colours(ax)["Ledger Wire"] == want
    periods = pd.date_range("2023-01-02", periods=2, freq="D")
    t = pd.DataFrame({"period": periods.repeat(2), "outlet": ["Northstar News", "Ledger Wire"] * 2, "value": [2, 1] * 2})
    t.attrs.update(by="outlet", freq="D", metric="articles")
    ax = nplot.plot_timeline(t, kind="stacked")
    stacks = dict(zip([x.get_text() for x in ax.get_legend().get_texts()],
                      hexes(c.get_facecolor()[0] for c in ax.collections)))
    assert stacks["Ledger Wire"] == want
    arts = pd.DataFrame({"n_words": [100, 200, 300, 400], "outlet": ["Ledger Wire", "Ledger Wire", "Northstar News",
                                                                     "Northstar News"]})
    ax = nplot.plot_length_distribution(arts, bins=4)
    steps = {p.get_label(): mcolors.to_hex(p.get_edgecolor()) for p in ax.patches}
    assert steps["Ledger Wire"] == want
    so = pd.DataFrame({"actor": ["A", "A"], "outlet": ["Northstar News", "Ledger Wire"],
                       "month": pd.to_datetime(["2023-01-01"] * 2), "mean": [0.1, 0.2], "ci_low": [0, 0.1],
                       "ci_high": [0.2, 0.3]})
    ax = nplot.plot_sentiment_by_outlet(so, actor="A")
    assert mcolors.to_hex(line_of(ax, "Ledger Wire").get_color()) == want


# --------------------------------------------------------------------------- literal text (issue 16.12)
def test_dollars_in_data_are_drawn_literally_and_bad_mathtext_does_not_fail():
    periods = pd.date_range("2023-01-02", periods=3, freq="D")
    t = pd.DataFrame({"period": periods, "value": [1, 5, 2]})
    t.attrs.update(freq="D", metric="articles")
    heads = pd.DataFrame({"period": [periods[1]], "value": [5], "headline": [DOLLARS]})
    ax = nplot.plot_timeline(t, annotate_peaks=1, headlines=heads, title=BAD_MATH)
    ax.figure.canvas.draw()  # mathtext would raise on the title, and eat the dollars of the note
    note = next(x for x in ax.texts if "US sends" in x.get_text())
    assert drawn_text(note) == ("03 Jan 2023\n" + DOLLARS, False)
    assert drawn_text(ax.title) == (BAD_MATH, False)
    freq = pd.DataFrame({"actor": [DOLLARS, BAD_MATH], "mentions": [3, 2]})
    ax = nplot.plot_entity_frequency(freq)
    ax.figure.canvas.draw()
    assert [drawn_text(x) for x in ax.get_yticklabels()] == [(BAD_MATH, False), (DOLLARS, False)]
    ax = nplot.plot_counts(pd.Series({BAD_MATH: 2}), title=DOLLARS)
    ax.figure.canvas.draw()
    assert drawn_text(ax.title) == (DOLLARS, False)


def test_every_plot_survives_mathtext_in_actor_and_outlet_names():
    m = BAD_MATH
    months = pd.to_datetime(["2023-01-01", "2023-02-01"])
    figs = [
        nplot.plot_actor_by_group(pd.DataFrame({"outlet": [m, "B"], "actor": [m, m], "share": [0.5, 0.2]})),
        nplot.plot_cooccurrence(pd.DataFrame({"actor_a": [m], "actor_b": [DOLLARS], "count": [2]})),
        nplot.plot_cooccurrence(pd.DataFrame({"actor_a": [m], "actor_b": [DOLLARS], "count": [2]}), kind="network"),
        nplot.plot_sentiment_heatmap(pd.DataFrame({"actor": [m], "outlet": [DOLLARS], "mean": [0.1], "n": [4]})),
        nplot.plot_sentiment_lines(pd.DataFrame({"actor": [m, m], "month": months, "mean": [0.1, 0.2],
                                                 "ci_low": [0, 0], "ci_high": [0.3, 0.3]})),
        nplot.plot_sentiment_by_outlet(pd.DataFrame({"actor": [m, m], "outlet": [DOLLARS, m], "month": months,
                                                     "mean": [0.1, 0.2], "ci_low": [0, 0], "ci_high": [0.3, 0.3]}),
                                       actor=m),
        nplot.plot_event_timeline(pd.DataFrame({"event_date": months, "published": months, "actors": [[m], [m]]})),
        nplot.plot_length_distribution(pd.DataFrame({"n_words": [1, 2, 3], "outlet": [m, DOLLARS, m]})),
    ]
    for ax in figs:
        ax.figure.canvas.draw()
        texts = [t for t in ax.figure.findobj(matplotlib.text.Text) if "$" in t.get_text()]
        assert texts, ax.get_title()
        assert all(drawn_text(t)[1] is False for t in texts)
        assert any(m in drawn_text(t)[0] or DOLLARS in drawn_text(t)[0] for t in texts)


# --------------------------------------------------------------------------- peaks (issue 17)
def _stacked_days():
    """Outlet A has the busiest single cell (day 1: 10), but the totals peak on days 2 and 3 (11, 12)."""
    days = pd.date_range("2023-02-01", periods=4, freq="D")
    t = pd.DataFrame({"period": days.repeat(2), "outlet": ["A", "B"] * 4,
                      "value": [10, 0, 5, 6, 6, 6, 1, 1]})
    t.attrs.update(by="outlet", freq="D", metric="articles")
    arts = pd.DataFrame({"article_id": [f"a{i}" for i in range(6)], "outlet": ["B", "A", "A", "B", "A", "A"],
                         "source": ["b", "a", "a", "b", "a", "a"],
                         "title": ["B first on day 2", "A later on day 2", "A on day 1", "B first on day 3",
                                   "A later on day 3", "A on day 4"],
                         "date": pd.to_datetime(["2023-02-02 08:00", "2023-02-02 12:00", "2023-02-01 10:00",
                                                 "2023-02-03 07:00", "2023-02-03 09:00", "2023-02-04 10:00"])})
    return days, t, arts


def test_stacked_peaks_are_the_top_days_of_the_total_at_its_height():
    days, t, arts = _stacked_days()
    ax = nplot.plot_timeline(t, kind="stacked", annotate_peaks=2, headlines=arts)
    (marks,) = [ln for ln in ax.lines if ln.get_gid() == PEAK_GID]
    xs = [mdates.num2date(x).replace(tzinfo=None) for x in mdates.date2num(marks.get_xdata())]
    assert xs == [days[2].to_pydatetime(), days[1].to_pydatetime()]
    assert marks.get_ydata().tolist() == [12.0, 11.0]
    notes = [x.get_text() for x in ax.texts]
    assert notes == ["03 Feb 2023\nB first on day 3", "02 Feb 2023\nB first on day 2"]
    # the busiest single outlet-day (A, 1 Feb, 10 articles) is not a peak of the total
    assert not any("01 Feb" in n for n in notes)
    table = nplot.total_peaks(t, top=2, headlines=arts)
    assert table["period"].tolist() == [days[2], days[1]] and table["value"].tolist() == [12, 11]
    assert table["headline"].tolist() == ["B first on day 3", "B first on day 2"]


def test_line_peaks_are_marked_on_their_own_line():
    days, t, _ = _stacked_days()
    ax = nplot.plot_timeline(t, kind="line", annotate_peaks=1)
    (marks,) = [ln for ln in ax.lines if ln.get_gid() == PEAK_GID]
    assert marks.get_ydata().tolist() == [10.0]
    assert [x.get_text() for x in ax.texts] == ["01 Feb 2023 · A"]
    assert line_of(ax, "A").get_ydata().tolist() == [10, 5, 6, 1]


def test_ungrouped_timeline_draws_the_values():
    t = pd.DataFrame({"period": pd.date_range("2023-01-02", periods=3, freq="W-MON"), "value": [1, 4, 2]})
    t.attrs.update(freq="W", metric="articles")
    ax = nplot.plot_timeline(t, annotate_peaks=1)
    assert ax.lines[0].get_ydata().tolist() == [1, 4, 2]
    assert ax.get_title() == "Articles per week"
    with pytest.raises(ValueError, match="kind"):
        nplot.plot_timeline(t, kind="bars")


# --------------------------------------------------------------------------- event dates (issue 17)
def _events():
    published = pd.to_datetime(["2022-05-20", "2022-06-10", "2022-07-04", "2022-07-04", "2022-07-05"])
    return pd.DataFrame({
        "event_date": pd.to_datetime(["2022-05-18", "2022-06-09", "1941-08-01", "2022-07-03", "2022-07-03"]),
        "granularity": ["day"] * 5, "expression": ["Wednesday", "yesterday", "August 1, 1941", "Sunday", "Sunday"],
        "published": published, "lag_days": [2.0, 1.0, 29557.0, 1.0, 2.0],
        "actors": [["Lysychansk"]] * 5, "source": ["x"] * 5, "sentence": [f"s{i}" for i in range(5)]})


def test_event_timeline_leaves_far_past_dates_off_the_axis():
    ev = _events()
    ax = nplot.plot_event_timeline(ev)
    lo, hi = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert lo.year == 2022 and hi.year == 2022
    dots = ax.collections[1].get_offsets()  # event dates (filled)
    assert sorted(mdates.num2date(x).date().isoformat() for x in np.asarray(dots)[:, 0]) == \
        ["2022-05-18", "2022-06-09", "2022-07-03"]
    assert any("1 dated sentence outside" in t.get_text() for t in ax.texts)
    inside, outside = nplot.split_event_dates(ev)
    assert outside["expression"].tolist() == ["August 1, 1941"] and len(inside) == 4
    # asked for, every date is drawn
    ax = nplot.plot_event_timeline(ev, window=None)
    assert mdates.num2date(ax.get_xlim()[0]).year <= 1941


def test_reported_vs_happened_axis_colours_and_caption():
    ev = _events()
    pub = pd.DataFrame({"period": pd.to_datetime(["2022-05-20", "2022-06-10", "2022-07-04", "2022-07-05"]),
                        "value": [1, 1, 2, 1]})
    ax = nplot.plot_reported_vs_happened(ev, pub, place="Lysychansk", margin_days=31)
    lo, hi = (mdates.num2date(x).replace(tzinfo=None) for x in ax.get_xlim())
    assert (lo.year, hi.year) == (2022, 2022)
    reported, happened = ax.lines[:2]
    assert happened.get_ydata().sum() == 4  # the 1941 sentence is not on the axis …
    assert any("1 dated sentence outside" in t.get_text() for t in ax.texts)  # … it is counted
    assert reported.get_ydata().sum() == 5
    caption = nplot.reported_vs_happened_caption("Lysychansk")
    words = {w.strip(".:,").lower() for w in caption.split()}
    drawn = {hue_name(mcolors.to_hex(reported.get_color())), hue_name(mcolors.to_hex(happened.get_color()))}
    named = words & {"red", "blue", "orange", "green", "grey"}
    assert named == drawn == {"blue", "red"}
    assert caption.startswith("Blue") and hue_name(REPORTED_COLOUR) == "blue" and hue_name(EVENT_COLOUR) == "red"
    # the dots figure uses the same two colours for the same two things
    ax = nplot.plot_event_timeline(ev)
    assert mcolors.to_hex(ax.collections[0].get_edgecolor()[0]) == REPORTED_COLOUR
    assert mcolors.to_hex(ax.collections[1].get_facecolor()[0]) == EVENT_COLOUR


def test_event_table_is_newest_first_without_far_dates():
    table = nplot.recent_events(_events())
    assert table["event_date"].dt.strftime("%Y-%m-%d").tolist() == \
        ["2022-07-03", "2022-07-03", "2022-06-09", "2022-05-18"]
    assert table["published"].iloc[0] > table["published"].iloc[1]  # same day: latest report first


def test_default_place_is_not_a_country_of_the_coverage():
    from types import SimpleNamespace

    rows = [("Vostria", 50, True), ("Dravenia", 40, True), ("Lorvania", 30, False), ("Kirnovo", 20, False),
            ("Gradensk", 10, False), ("Ukraine", 60, False)]
    m = pd.DataFrame([(a, "place", "NORP" if (nat and i == 0) else "GPE") for a, n, nat in rows for i in range(n)],
                     columns=["actor", "actor_type", "label"])
    m["article_id"] = "a"
    m["sent_id"] = range(len(m))
    first = {a: int(m.index[m["actor"] == a][0]) for a, _, _ in rows}
    dated = pd.DataFrame({"article_id": "a", "sent_id": [first["Gradensk"] + i for i in range(4)]
                          + [first["Vostria"] + i for i in range(9)], "granularity": "day"})
    # Vostria ("Vostrian") and Ukraine (a known country) are left out; Gradensk has the most dated days
    assert nplot.default_place(SimpleNamespace(mentions=m, dates=dated)) == "Gradensk"
    # without day-level dates: the most-mentioned place that is not a country
    assert nplot.default_place(SimpleNamespace(mentions=m, dates=dated.iloc[:0])) == "Lorvania"
    # only countries: the most-mentioned after the top two
    nations = m.assign(label="NORP")
    assert nplot.default_place(SimpleNamespace(mentions=nations, dates=dated.iloc[:0])) == "Dravenia"
    assert nplot.default_place(SimpleNamespace(mentions=m, dates=dated), skip_countries=False) == "Vostria"
    assert nplot.default_place(SimpleNamespace(mentions=m.iloc[:0], dates=dated)) is None


# --------------------------------------------------------------------------- sentiment (issue 17: 03 chart = table)
SENT = pd.DataFrame({
    "actor": ["Big", "Rare+", "Mid", "Rare-", "Small"],
    "n": [900, 20, 300, 21, 100],
    "mean": [-0.10, 0.80, 0.20, -0.70, 0.05],
    "ci_low": [-0.15, 0.5, 0.1, -0.9, -0.1], "ci_high": [-0.05, 0.9, 0.3, -0.4, 0.2]})


def test_ranked_chart_and_its_table_show_the_same_actors_in_the_same_order():
    shown = nplot.select_actors(SENT, top=3)
    assert shown["actor"].tolist() == ["Mid", "Small", "Big"]  # the 3 most-mentioned, by mean
    ax = nplot.plot_actor_sentiment(SENT, top=3)
    top_down = [t.get_text() for t in ax.get_yticklabels()][::-1]
    assert top_down == ["Mid  (n=300)", "Small  (n=100)", "Big  (n=900)"]
    assert [float(p.get_width()) for p in ax.patches][::-1] == [0.20, 0.05, -0.10]
    # the same chart from the selected table itself
    ax2 = nplot.plot_actor_sentiment(shown, top=None)
    assert [t.get_text() for t in ax2.get_yticklabels()] == [t.get_text() for t in ax.get_yticklabels()]
    # the mean-sorted head (what the old table showed) lists rare actors instead
    assert SENT.sort_values("mean", ascending=False).head(3)["actor"].tolist() != shown["actor"].tolist()
    errs = ax.collections  # error bars span ci_low … ci_high
    seg = np.asarray(errs[0].get_segments())
    assert np.allclose(sorted(seg[:, :, 0].min(axis=1)), sorted([0.1, -0.1, -0.15]))


def test_plot_actor_sentiment_sign_colours_and_empty():
    ax = nplot.plot_actor_sentiment(SENT, top=None, colour_by="sign")
    cols = bar_colours(ax)
    assert hue_name(cols["Rare-"]) == "red" and hue_name(cols["Rare+"]) == "blue"
    ax = nplot.plot_actor_sentiment(SENT.iloc[:0])
    assert ax.texts[0].get_text() == "no actor with enough mentions"


def test_sentiment_heatmap_cells():
    t = pd.DataFrame({"actor": ["A", "A", "B"], "outlet": ["x", "y", "x"], "mean": [0.1, -0.4, 0.3], "n": [5, 6, 7]})
    ax = nplot.plot_sentiment_heatmap(t)
    arr = ax.images[0].get_array()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B"]  # by mean of the row, ascending
    assert np.allclose(arr.filled(np.nan)[0], [0.1, -0.4]) and np.isnan(arr.filled(np.nan)[1, 1])
    assert sorted(x.get_text() for x in ax.texts) == ["+0.10\n5", "+0.30\n7", "-0.40\n6"]


def test_sentiment_by_outlet_one_line_per_outlet_with_bands():
    t = pd.DataFrame({"actor": ["A", "A", "A", "B"], "outlet": ["x", "x", "y", "x"],
                      "month": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-01-01", "2023-01-01"]),
                      "mean": [0.2, -0.1, 0.5, 0.9], "ci_low": [0.0, -0.3, 0.4, 0.8], "ci_high": [0.4, 0.1, 0.6, 1.0]})
    ax = nplot.plot_sentiment_by_outlet(t, actor="A")
    assert {ln.get_label(): ln.get_ydata().tolist() for ln in ax.lines if not ln.get_label().startswith("_")} == \
        {"x": [0.2, -0.1], "y": [0.5]}
    bands = [c for c in ax.collections]
    assert len(bands) == 2
    assert ax.get_title() == "A"
    ax = nplot.plot_sentiment_by_outlet(t, actor="Nobody")
    assert "no month" in ax.texts[0].get_text()


def test_sentiment_lines_filter_actors():
    t = pd.DataFrame({"actor": ["A", "B"], "week": pd.to_datetime(["2023-01-02"] * 2), "mean": [0.2, -0.3],
                      "ci_low": [0.1, -0.4], "ci_high": [0.3, -0.2]})
    ax = nplot.plot_sentiment_lines(t, actors=["B"])
    assert [ln.get_label() for ln in ax.lines if not ln.get_label().startswith("_")] == ["B"]
    assert ax.get_title() == "Target sentiment per week"


# --------------------------------------------------------------------------- corpus figures (issue 17)
def test_length_histogram_leaves_out_the_outlier_and_lists_it():
    rng = np.random.default_rng(0)
    n = np.r_[rng.integers(300, 1200, size=200), 29289]
    arts = pd.DataFrame({"article_id": [f"a{i}" for i in range(len(n))], "title": [f"t{i}" for i in range(len(n))],
                         "outlet": ["A", "B"] * 100 + ["B"], "n_words": n})
    ax = nplot.plot_length_distribution(arts)
    assert ax.get_xlim()[1] < 3000
    counted = sum(np.histogram(g["n_words"], bins=30)[0].sum() for _, g in arts[arts.n_words < 3000].groupby("outlet"))
    assert counted == 200
    assert "1 article longer than" in ax.texts[0].get_text()
    out = nplot.length_outliers(arts)
    assert out[["article_id", "title", "n_words"]].values.tolist() == [["a200", "t200", 29289]]
    # log scale instead: nothing left out
    ax = nplot.plot_length_distribution(arts, log=True)
    assert ax.get_xscale() == "log" and ax.get_xlim()[1] > 29289 and not ax.texts
    # an even corpus is not clipped
    even = arts[arts.n_words < 3000]
    assert nplot.length_limit(even["n_words"]) is None and len(nplot.length_outliers(even)) == 0


def test_plot_counts_bars():
    ax = nplot.plot_counts(pd.Series({"A": 3, "B": 1, "C": 2}), title="Articles per outlet")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["B", "C", "A"]
    assert [float(p.get_width()) for p in ax.patches] == [1.0, 2.0, 3.0]
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3"]


# --------------------------------------------------------------------------- frequency figures
def test_entity_frequency_bars_and_type_colours():
    t = pd.DataFrame({"actor": ["Kyiv", "Putin", "NATO", "Lviv"], "actor_type": ["place", "person", "organisation",
                                                                                "place"],
                      "mentions": [5, 3, 4, 1]})
    ax = nplot.plot_entity_frequency(t, top=3)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["Putin (person)", "NATO (organisation)", "Kyiv (place)"]
    assert [float(p.get_width()) for p in ax.patches] == [3.0, 4.0, 5.0]
    ax = nplot.plot_entity_frequency(t, colour_by="type")
    cols = bar_colours(ax)
    assert cols["Kyiv"] == cols["Lviv"] == style.TYPE_COLOURS["place"].lower()
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["person", "place", "organisation"]


def test_cooccurrence_heatmap_cells_and_network_edges():
    t = pd.DataFrame({"actor_a": ["A", "A", "B"], "actor_b": ["B", "C", "C"], "count": [3, 1, 2]})
    ax = nplot.plot_cooccurrence(t, kind="heatmap")
    order = [x.get_text() for x in ax.get_yticklabels()]
    assert order == ["B", "A", "C"]  # by pairs' total count (5, 4, 3)
    arr = ax.images[0].get_array().filled(np.nan)
    assert arr[0, 1] == 3 and arr[1, 2] == 1 and arr[0, 2] == 2 and np.isnan(arr[0, 0])
    ax = nplot.plot_cooccurrence(t, kind="network")
    widths = sorted(ln.get_linewidth() for ln in ax.lines)
    assert len(widths) == 3 and widths[0] < widths[1] < widths[2]
    with pytest.raises(ValueError):
        nplot.plot_cooccurrence(t, kind="pie")


def test_actor_by_group_matrix():
    t = pd.DataFrame({"outlet": ["A", "B", "A"], "actor": ["Kyiv", "Kyiv", "Lviv"], "share": [0.5, 0.2, 0.9]})
    ax = nplot.plot_actor_by_group(t, by="outlet")
    assert [x.get_text() for x in ax.get_yticklabels()] == ["Lviv", "Kyiv"]
    assert ax.images[0].get_array().tolist() == [[0.9, 0.0], [0.5, 0.2]]
    with pytest.warns(DeprecationWarning):
        nplot.plot_actor_by_group(t, group="outlet")


# --------------------------------------------------------------------------- tables (issues 16, 17)
def test_styled_tables_escape_html():
    df = pd.DataFrame({"actor": [EVIL], "share": [0.25]}, index=pd.Index([EVIL], name=EVIL))
    html = nplot.styled(df, {"share": "{:.1%}"}).to_html()
    assert "<img" not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 3  # cell, index label, index name
    assert "25.0%" in html
    # pandas' own Styler does not escape (why styled() exists)
    assert "<img src=x" in df.style.to_html()


def test_scroll_table_shows_every_row_escaped():
    df = pd.DataFrame({"form": [f"f{i}" for i in range(65)] + [EVIL], "n": range(66)})
    out = nplot.scroll_table(df, caption="66 forms")
    assert out.data.count("<td>f") == 65 and "&lt;img src=x" in out.data and "<img" not in out.data
    assert "overflow: auto" in out.data and "<p>66 forms</p>" in out.data
    short = nplot.scroll_table(df.head(3))
    assert "overflow" not in short.data


def test_old_module_reexports_the_package():
    import newskit.plots as old

    for name in nplot.__all__:
        assert getattr(old, name) is getattr(nplot, name)

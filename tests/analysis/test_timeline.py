"""Timelines: periods, zero-filling, groups, sentiment bands, undated articles, events, peaks, plots,
the demo corpus spike and the index.tsv acceptance check on ../shared."""
from __future__ import annotations

import csv
from types import SimpleNamespace

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import newskit  # noqa: E402
from newskit._options import period_start  # noqa: E402
from newskit.analysis import event_timeline, peaks, timeline  # noqa: E402


def arts(dates, sources=None, titles=None):
    n = len(dates)
    return pd.DataFrame({"article_id": [f"a{i}" for i in range(n)],
                         "source": sources or ["x.com"] * n,
                         "title": titles or [f"Title {i}" for i in range(n)],
                         "date": pd.to_datetime(pd.Series(dates, dtype=object), errors="coerce", format="mixed")})


def test_week_crossing_year_and_month_ends():
    s = pd.Series(pd.to_datetime(["2022-12-31", "2023-01-01", "2023-01-02", "2024-02-29", "2021-01-31"]))
    assert period_start(s, "W").dt.strftime("%Y-%m-%d").tolist() == [
        "2022-12-26", "2022-12-26", "2023-01-02", "2024-02-26", "2021-01-25"]
    assert period_start(s, "M").dt.strftime("%Y-%m-%d").tolist() == [
        "2022-12-01", "2023-01-01", "2023-01-01", "2024-02-01", "2021-01-01"]
    t = timeline(arts(["2022-12-31", "2023-01-01", "2023-01-02"]), freq="W")
    assert t["period"].dt.strftime("%Y-%m-%d").tolist() == ["2022-12-26", "2023-01-02"]
    assert t["value"].tolist() == [2, 1]
    m = timeline(arts(["2024-01-31", "2024-02-29", "2024-02-01", "2024-04-30"]), freq="M")
    assert m["period"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-01", "2024-02-01", "2024-03-01",
                                                             "2024-04-01"]
    assert m["value"].tolist() == [1, 2, 0, 1]


def test_zero_fill_every_group_and_gap_of_months():
    a = arts(["2022-01-03", "2022-05-20", "2022-05-21"], sources=["x.com", "y.com", "x.com"])
    t = timeline(a, freq="W", by="source")
    weeks = pd.date_range("2022-01-03", "2022-05-16", freq="W-MON")
    assert len(t) == 2 * len(weeks)
    assert set(t["source"]) == {"x.com", "y.com"}
    assert t.groupby("source")["value"].sum().to_dict() == {"x.com": 2, "y.com": 1}
    assert (t.groupby("source").size() == len(weeks)).all()
    d = timeline(a, freq="D")
    assert len(d) == (pd.Timestamp("2022-05-21") - pd.Timestamp("2022-01-03")).days + 1
    assert d["value"].sum() == 3
    assert t["value"].dtype == np.int64


def test_one_day_corpus():
    a = arts(["2022-07-04 10:00", "2022-07-04 18:30"])
    for f in ("D", "W", "M"):
        t = timeline(a, freq=f)
        assert len(t) == 1 and t["value"].iloc[0] == 2
    assert timeline(a, freq="W")["period"].iloc[0] == pd.Timestamp("2022-07-04")
    assert timeline(a, freq="M")["period"].iloc[0] == pd.Timestamp("2022-07-01")


def test_undated_reported_not_dropped_silently():
    a = arts(["2022-07-04", None, "not a date", "2022-07-05"])
    with pytest.warns(UserWarning, match="2 article"):
        t = timeline(a)
    assert t.attrs["undated"] == 2
    assert t["value"].sum() == 2


def test_date_range_bounds_extend_periods():
    a = arts(["2022-07-04", "2022-07-20"])
    t = timeline(a, freq="W", date_from="2022-06-20", date_to="2022-07-10")
    assert t["period"].min() == pd.Timestamp("2022-06-20")
    assert t["period"].max() == pd.Timestamp("2022-07-04")
    assert t["value"].tolist() == [0, 0, 1]


def small_ann():
    a = arts(["2022-01-03", "2022-01-03", "2022-01-04", "2022-01-20"], sources=["x", "y", "x", "y"])
    m = pd.DataFrame({"article_id": ["a0", "a0", "a1", "a2", "a2", "a3"],
                      "sent_id": [0, 1, 0, 0, 0, 0],
                      "actor": ["Kyiv", "Kyiv", "Lviv", "Kyiv", "Lviv", "Lviv"],
                      "score": [0.5, 0.3, -0.4, 0.1, 0.2, -0.6]})
    return SimpleNamespace(articles=a, mentions=m)


def test_mentions_and_articles_by_actor():
    ann = small_ann()
    t = timeline(ann, freq="W", by="actor", metric="mentions")
    assert set(t["actor"]) == {"Kyiv", "Lviv"}
    assert t.pivot(index="period", columns="actor", values="value").values.tolist() == [[3, 2], [0, 0], [0, 1]]
    art = timeline(ann, freq="W", by="actor", metric="articles")
    assert art.pivot(index="period", columns="actor", values="value").values.tolist() == [[2, 2], [0, 0], [0, 1]]
    one = timeline(ann, freq="W", metric="articles", actors=["Kyiv"])
    assert one["value"].tolist() == [2, 0, 0]


def test_normalize_and_rolling():
    ann = small_ann()
    per = timeline(ann, freq="W", metric="mentions", actors=["Kyiv"], normalize="per_article")
    assert per["value"].iloc[0] == pytest.approx(3 / 3)
    assert np.isnan(per["value"].iloc[1])  # no articles that week
    share = timeline(ann, freq="W", by="actor", metric="mentions", normalize="share")
    first = share[share["period"] == share["period"].min()].set_index("actor")["value"]
    assert first.to_dict() == pytest.approx({"Kyiv": 0.6, "Lviv": 0.4})
    r = timeline(ann, freq="W", metric="mentions", rolling=2)
    assert r["rolling"].tolist() == pytest.approx([5.0, 2.5, 0.5])
    with pytest.raises(ValueError):
        timeline(ann, metric="sentiment", normalize="share")


def test_sentiment_nan_for_empty_periods_and_ci():
    ann = small_ann()
    t = timeline(ann, freq="W", by="actor", metric="sentiment")
    assert {"value", "ci_low", "ci_high", "n", "n_articles"} <= set(t.columns)
    k = t[t["actor"] == "Kyiv"].reset_index(drop=True)
    assert k["value"].iloc[0] == pytest.approx(0.3)
    assert k["n"].tolist() == [3, 0, 0]
    assert k["ci_low"].iloc[0] < 0.3 < k["ci_high"].iloc[0]
    assert k["value"].iloc[1:].isna().all() and k["ci_low"].iloc[1:].isna().all()


def test_plain_articles_frame_rejects_mentions_metrics():
    with pytest.raises(ValueError):
        timeline(arts(["2022-01-01"]), metric="mentions")


def test_event_timeline_computes_dates_and_filters_actors():
    a = arts(["2022-07-04", "2022-07-05"], titles=["City falls", "Aftermath"])
    s = pd.DataFrame({"article_id": ["a0", "a0", "a1"], "sent_id": [0, 1, 0], "start": [0, 30, 0],
                      "end": [28, 60, 40], "text": ["Lysychansk fell on Sunday.", "Nothing dated.",
                                                    "Kyiv said yesterday it had withdrawn."]})
    m = pd.DataFrame({"article_id": ["a0", "a1"], "sent_id": [0, 0], "actor": ["Lysychansk", "Kyiv"]})
    ann = SimpleNamespace(articles=a, sentences=s, mentions=m)
    ev = event_timeline(ann)
    assert ev["event_date"].dt.strftime("%Y-%m-%d").tolist() == ["2022-07-03", "2022-07-04"]
    assert ev["lag_days"].tolist() == [1.0, 1.0]
    assert ev["title"].tolist() == ["City falls", "Aftermath"]
    assert ev["actors"].tolist() == [["Lysychansk"], ["Kyiv"]]
    only = event_timeline(ann, actors=["Kyiv"])
    assert only["sentence"].tolist() == ["Kyiv said yesterday it had withdrawn."]
    # an existing dates table is used as is
    ann.dates = pd.DataFrame({"article_id": ["a1"], "sent_id": [0], "start": [10], "end": [19],
                              "text": ["yesterday"], "date": pd.to_datetime(["2022-07-04"]),
                              "granularity": ["day"]})
    assert len(event_timeline(ann)) == 1


def test_peaks_headline_most_mentions():
    ann = small_ann()
    t = timeline(ann, freq="W", by="actor", metric="mentions")
    p = peaks(t, top=2, articles=ann, total=False)
    assert p["value"].tolist() == [3, 2]
    assert p["actor"].tolist() == ["Kyiv", "Lviv"]
    assert p["headline"].iloc[0] == "Title 0"  # a0 has two Kyiv mentions
    ps = peaks(timeline(ann.articles, freq="W", by="source"), top=1, articles=ann.articles, total=False)
    assert ps["source"].iloc[0] in {"x", "y"} and ps["headline"].notna().all()


def test_peaks_of_a_grouped_count_table_are_the_busiest_periods_overall():
    # outlet x has its own busiest day on the 3rd (3 articles); overall the 5th is busier (2 + 2)
    dates = ["2022-01-03"] * 3 + ["2022-01-05"] * 4 + ["2022-01-07"]
    sources = ["x", "x", "x", "x", "x", "y", "y", "y"]
    t = timeline(arts(dates, sources=sources), freq="D", by="source")
    p = peaks(t, top=2)
    total = t.groupby("period")["value"].sum().sort_values(ascending=False)
    assert p["period"].tolist() == total.index[:2].tolist() == [pd.Timestamp("2022-01-05"), pd.Timestamp("2022-01-03")]
    assert p["value"].tolist() == [4, 3] and "source" not in p.columns
    rows = peaks(t, top=1, total=False)  # the old behaviour, on request: the busiest (day, outlet) cell
    assert rows["value"].tolist() == [3] and rows["source"].tolist() == ["x"]


def test_public_names():
    a = arts(["2022-01-03"])
    assert newskit.timeline(a).equals(timeline(a))
    assert newskit.peaks is peaks
    assert newskit.event_timeline is event_timeline


# --------------------------------------------------------------------------- demo corpus
def test_demo_spike_week(demo_dir):
    truth = pytest.importorskip("newskit.datasets").DEMO_TRUTH["spike"]
    articles = newskit.load_corpus(demo_dir)
    # without NER: the spike week has the most articles whose text names the city
    hit = articles[articles["text"].str.contains(truth["actor"], regex=False)]
    t = timeline(hit, freq="W")
    top = t.sort_values("value", ascending=False).iloc[0]
    assert top["period"] == pd.Timestamp(truth["week"])


@pytest.mark.slow
def test_demo_spike_week_annotated(demo_dir, tmp_path):
    truth = newskit.datasets.DEMO_TRUTH["spike"]
    ann = newskit.annotate(newskit.load_corpus(demo_dir), cache_dir=tmp_path, progress=False)
    t = timeline(ann, freq="W", metric="mentions", actors=[truth["actor"]])
    assert t.sort_values("value", ascending=False)["period"].iloc[0] == pd.Timestamp(truth["week"])
    ev = event_timeline(ann)
    assert len(ev) > 0


# --------------------------------------------------------------------------- ../shared acceptance
def test_weekly_outlet_counts_equal_index_tsv(shared):
    folder = shared("data", "corpus_ukraine")
    with open(folder / "index.tsv", newline="", encoding="utf-8") as f:
        idx = pd.DataFrame(list(csv.DictReader(f, delimiter="\t")))
    idx["date"] = pd.to_datetime(idx["date"], format="%Y%m%d")
    # outlets are compared by host (index.tsv's display names differ from newskit's for wire copies)
    idx["source"] = idx["url"].str.extract(r"https?://(?:www\.)?([^/:]+)", expand=False).str.lower()
    expected = idx.groupby([period_start(idx["date"], "W"), "source"]).size()
    expected.index.names = ["period", "source"]
    articles = newskit.load_corpus(folder)
    assert len(articles) == len(idx)
    t = timeline(articles, freq="W", by="source")
    assert t.attrs["undated"] == 0
    got = t[t["value"] > 0].set_index(["period", "source"])["value"]
    pd.testing.assert_series_equal(got.sort_index(), expected.sort_index().rename("value"), check_dtype=False)
    # every week of the range is present for every outlet, zero-filled
    weeks = pd.date_range(expected.index.get_level_values(0).min(), expected.index.get_level_values(0).max(),
                          freq="W-MON")
    assert len(t) == len(weeks) * idx["source"].nunique()


def test_timeline_explorer_widget():
    pytest.importorskip("ipywidgets")
    from newskit.widgets import timeline_explorer

    ann = small_ann()
    box = timeline_explorer(ann, freq="D", actors=["Kyiv"])
    assert box.actors.value == ("Kyiv",)
    opts = box.range.options
    box.range.value = (opts[0][1], opts[1][1])
    box.actors.value = ("Kyiv", "Lviv")
    box.redraw()
    sent = timeline_explorer(ann, freq="W", metric="sentiment")
    assert len(sent.actors.value) == 2
    import matplotlib.pyplot as plt
    plt.close("all")

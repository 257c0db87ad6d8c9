"""The fictional demo corpus: determinism, native format, planted signals."""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import statistics
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest

from newskit.datasets import DEMO_TRUTH, demo_articles, demo_corpus


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _parse(path: Path) -> dict:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n"), path
    assert "\r" not in text and "\ufeff" not in text
    lines = text[:-1].split("\n")
    assert len(lines) >= 4, path
    title, date, url, *body = lines
    assert title.strip() and title == title.strip()
    assert re.fullmatch(r"\d{8}", date)
    day = dt.datetime.strptime(date, "%Y%m%d").date()  # raises on an impossible date
    u = urlparse(url)
    assert u.scheme == "https" and u.netloc.endswith(".example"), url
    assert body and all(p.strip() and p == p.strip() for p in body), path
    assert path.name == f"{path.name[:5]}_{hashlib.sha1(url.encode()).hexdigest()[:16]}.txt"
    return {"title": title, "date": day, "url": url, "source": u.netloc.removeprefix("www."),
            "body": body, "text": "\n".join(body)}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return demo_corpus(tmp_path_factory.mktemp("demo_a") / "corpus")


@pytest.fixture(scope="module")
def parsed(corpus) -> list[dict]:
    return [_parse(p) for p in sorted(corpus.glob("*.txt"))]


def test_deterministic_and_not_rewritten(corpus, tmp_path):
    other = demo_corpus(tmp_path / "b")
    assert _files(corpus) == _files(other)
    # the articles do not depend on the hash seed or on earlier calls
    assert [a["content"] for a in demo_articles()] == [a["content"] for a in demo_articles()]
    before = {p.name: p.stat().st_mtime_ns for p in other.iterdir()}
    assert demo_corpus(tmp_path / "b") == other
    assert {p.name: p.stat().st_mtime_ns for p in other.iterdir()} == before
    # a damaged file is repaired; overwrite rewrites
    victim = sorted(other.glob("*.txt"))[7]
    victim.write_text("broken\n", encoding="utf-8")
    demo_corpus(other)
    assert _files(other) == _files(corpus)
    demo_corpus(other, overwrite=True)
    assert _files(other) == _files(corpus)


def test_refuses_foreign_folder(tmp_path):
    (tmp_path / "mine.txt").write_text("hello\n")
    with pytest.raises(FileExistsError):
        demo_corpus(tmp_path)


def test_default_path(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSKIT_DATA", str(tmp_path))
    folder = demo_corpus()
    assert folder == tmp_path / "demo_corpus" and len(list(folder.glob("*.txt"))) == DEMO_TRUTH["n_articles"]


def test_fictional_notice(corpus):
    notice = (corpus / "_FICTIONAL_CORPUS.md").read_text(encoding="utf-8")
    assert "FICTIONAL" in notice and "content-sha256:" in notice
    assert [p.name for p in corpus.iterdir() if p.suffix != ".txt"] == ["_FICTIONAL_CORPUS.md"]


def test_native_format_and_shape(parsed):
    assert len(parsed) == DEMO_TRUTH["n_articles"] == 300
    assert len({a["url"] for a in parsed}) == len(parsed)
    assert len({a["text"] for a in parsed}) == len(parsed)
    dates = [a["date"] for a in parsed]
    assert min(dates).isoformat() == DEMO_TRUTH["date_min"] and max(dates).isoformat() == DEMO_TRUTH["date_max"]
    counts = Counter(a["source"] for a in parsed)
    assert set(counts) == set(DEMO_TRUTH["sources"]) and len(counts) == 4 and min(counts.values()) >= 50
    assert all(3 <= len(a["body"]) <= 8 for a in parsed)
    words = sum(len(a["text"].split()) for a in parsed)
    assert 80_000 < words < 250_000


def test_spelling_variant(parsed):
    sv = DEMO_TRUTH["spelling_variant"]
    for a in parsed:
        text = a["title"] + "\n" + a["text"]
        for pair in (sv["capital"], sv["leader"]):
            std, var = re.compile(rf"\b{pair['standard']}\b"), re.compile(rf"\b{pair['variant']}\b")
            if a["source"] == sv["source"]:
                assert not std.search(text), (a["url"], pair)
            else:
                assert not var.search(text), (a["url"], pair)
    by_source = Counter(a["source"] for a in parsed if sv["capital"]["variant"] in a["text"])
    assert set(by_source) == {sv["source"]}


def test_spike_week(parsed):
    spike = DEMO_TRUTH["spike"]
    weeks = Counter()
    for a in parsed:
        monday = a["date"] - dt.timedelta(days=a["date"].weekday())
        weeks[monday] += len(re.findall(rf"\b{spike['actor']}\b", a["text"]))
    (top, n), (_, second) = weeks.most_common(2)
    assert top.isoformat() == spike["week"] and n > 5 * second


def _vader():
    import nltk
    import vaderSentiment
    from nltk.sentiment.vader import SentimentIntensityAnalyzer

    folder = os.path.dirname(vaderSentiment.__file__)
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    return SentimentIntensityAnalyzer(lexicon_file="vader_lexicon.txt")


def test_sentiment_shift(parsed):
    truth = DEMO_TRUTH["sentiment_shift"]
    sia = _vader()
    event = dt.date.fromisoformat(truth["event_date"])
    month = dt.date.fromisoformat(truth["month"] + "-01")
    variant = DEMO_TRUTH["spelling_variant"]["leader"]["variant"]
    scores: dict[tuple[str, str], list[float]] = {}
    for a in parsed:
        for sent in re.split(r"(?<=[.!?])\s+", a["text"].replace("\n", " ")):
            for who, pat in (("D", r"\bDornakov\b"), ("S", rf"\b(?:Lisovsky|{variant})\b")):
                if re.search(pat, sent):
                    per = "before" if a["date"] < event else "after"
                    scores.setdefault((who, per), []).append(sia.polarity_scores(sent)["compound"])
                    if who == "D" and (a["date"] < month or a["date"] >= month.replace(month=month.month + 1)):
                        scores.setdefault(("D_month", "before" if a["date"] < month else "after"), []).append(
                            sia.polarity_scores(sent)["compound"])
    mean = {k: statistics.mean(v) for k, v in scores.items()}
    assert mean[("D", "before")] > 0.3 and mean[("D", "after")] < -0.3
    assert mean[("D_month", "before")] > 0.3 and mean[("D_month", "after")] < -0.3
    assert abs(mean[("S", "before")] - mean[("S", "after")]) < 0.1 and mean[("S", "after")] > 0.2
    assert mean[("D", "before")] == pytest.approx(truth["vader_mean_before"], abs=0.002)
    assert mean[("D", "after")] == pytest.approx(truth["vader_mean_after"], abs=0.002)
    assert mean[("S", "before")] == pytest.approx(truth["steady_vader_mean_before"], abs=0.002)
    assert mean[("S", "after")] == pytest.approx(truth["steady_vader_mean_after"], abs=0.002)


def test_event_dates_present(parsed):
    by_url = {a["url"]: a for a in parsed}
    assert len(DEMO_TRUTH["event_dates"]) >= 30
    weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    for e in DEMO_TRUTH["event_dates"]:
        a = by_url[e["url"]]
        assert a["date"].isoformat() == e["published"]
        assert e["phrase"] in a["text"].split("\n")[0]
        gold, pub = dt.date.fromisoformat(e["date"]), a["date"]
        assert gold < pub
        words = e["phrase"].lower().split()
        if words == ["yesterday"]:
            assert (pub - gold).days == 1
        elif words[-1] in weekdays:
            assert weekdays.index(words[-1]) == gold.weekday() and (pub - gold).days < 7
        else:
            assert e["phrase"] == f"on {gold:%B} {gold.day}"
    kinds = {e["phrase"].split()[0] for e in DEMO_TRUTH["event_dates"]}
    assert {"yesterday", "on", "last"} <= kinds


def test_cooccurring_pair_and_names(parsed):
    a_name, b_name = (n.split()[-1] for n in DEMO_TRUTH["cooccurring_pair"])
    together = alone = 0
    for a in parsed:
        for sent in re.split(r"(?<=[.!?])\s+", a["text"].replace("\n", " ")):
            ha, hb = a_name in sent, b_name in sent
            together += ha and hb
            alone += ha != hb
    assert together > 100 and alone < together / 5
    text = "\n".join(a["text"] for a in parsed)
    for demonym in DEMO_TRUTH["demonyms"]:
        assert re.search(rf"\b{demonym}\b", text), demonym
    for form in ("Mr Dornakov", "Dornakov's", "President Yevgeny Dornakov", "Defence Minister"):
        assert form in text

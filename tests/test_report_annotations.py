"""``newskit report --annotations DIR``: the report of an annotations folder (read out of core by every
notebook) completes and shows the tables of the report of the corpus it was annotated from."""
from __future__ import annotations

import json
import os
import re

import nbformat
import pytest

import newskit
from newskit import report

from pathlib import Path

NOTEBOOKS = ["00", "01", "02", "03", "04", "05"]
NB_DIR = Path(__file__).resolve().parents[1] / "notebooks"  # this checkout's (not an installed copy's)


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory):
    from newskit.datasets import demo_corpus
    from newskit.pipeline import annotate_to

    base = tmp_path_factory.mktemp("ann_report")
    corpus = demo_corpus(base / "corpus")
    cache = base / "cache"
    folder = annotate_to(newskit.load_corpus(corpus), base / "annotations", part_size=40, n_process=1,
                         cache_dir=cache, progress=False)
    old = os.environ.get("NEWSKIT_CACHE")
    os.environ["NEWSKIT_CACHE"] = str(cache)  # the corpus report reads the same annotations from the cache
    try:
        by_corpus = report.build_report(corpus, base / "by_corpus", progress=False, assets=False, jobs=1,
                                        notebooks_dir=NB_DIR)
        by_folder = report.build_report(None, base / "by_folder", annotations=folder, progress=False,
                                        assets=False, jobs=1, notebooks_dir=NB_DIR)
    finally:
        if old is None:
            os.environ.pop("NEWSKIT_CACHE", None)
        else:
            os.environ["NEWSKIT_CACHE"] = old
    return by_corpus, by_folder, folder


def _outputs(path):
    """Per code cell (widget explorers and the bare ``ann`` display left out): its HTML tables and
    its number of figures."""
    nb = nbformat.read(path, as_version=4)
    cells = []
    for c in nb.cells:
        if c.cell_type != "code" or "parameters" in c.metadata.get("tags", []):
            continue
        src = c.source
        if "explorer" in src or re.search(r"^ann$", src, re.M) or "actor_pick" in src:
            continue
        tables, figures = [], 0
        for o in c.get("outputs", []):
            data = o.get("data", {})
            if "image/png" in data:
                figures += 1
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "<table" in html:
                tables.append(re.sub(r'id="T_[0-9a-f_]+', 'id="T_', html).replace("\n", ""))
        cells.append((src.splitlines()[0] if src else "", tables, figures))
    return cells


def test_report_of_an_annotations_folder_equals_the_corpus_report(two_reports):
    by_corpus, by_folder, _ = two_reports
    assert by_corpus.ok, [nb.describe_error() for nb in by_corpus.failures]
    assert by_folder.ok, [nb.describe_error() for nb in by_folder.failures]
    assert len(by_folder.notebooks) == len(NOTEBOOKS)
    n_tables = n_figures = 0
    for a, b in zip(by_corpus.notebooks, by_folder.notebooks):
        want, got = _outputs(a.ipynb), _outputs(b.ipynb)
        assert [c[0] for c in got] == [c[0] for c in want]
        for (first, wt, wf), (_, gt, gf) in zip(want, got):
            assert gf == wf, (a.ipynb.name, first)
            assert gt == wt, (a.ipynb.name, first)
            n_tables += len(wt)
            n_figures += wf
    assert n_tables >= 15 and n_figures >= 15  # the comparison covers the pages, not two empty reports


def test_folder_report_reads_no_corpus_and_says_so(two_reports):
    _, by_folder, folder = two_reports
    nb = nbformat.read(by_folder.out / "01_entity_frequency.ipynb", as_version=4)
    params = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert f"annotations = {str(folder)!r}" in params.source or f'annotations = "{folder}"' in params.source
    assert "corpus = None" in params.source
    text = json.dumps(nbformat.read(by_folder.out / "02_timeline.ipynb", as_version=4))
    assert "An interactive explorer needs the annotations in memory" in text
    assert str(folder) in (by_folder.out / "index.html").read_text()


def test_annotations_option_errors(tmp_path, capsys):
    from newskit.cli import main

    assert main(["report", "--annotations", str(tmp_path / "nope"), "-o", str(tmp_path / "o"), "--quiet"]) == 2
    assert "not an annotations folder" in capsys.readouterr().err
    assert main(["report", "-o", str(tmp_path / "o"), "--quiet"]) == 2
    assert "give CORPUS or --annotations" in capsys.readouterr().err

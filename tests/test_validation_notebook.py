"""notebooks/05_validation.ipynb runs top to bottom on the demo corpus with papermill: without labels
(explains, shows the sample and the widget) and with a label folder (agreement and corrected tables)."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
NB = REPO / "notebooks" / "05_validation.ipynb"


def _text(nb) -> str:
    parts = []
    for c in nb.cells:
        for o in c.get("outputs", []):
            parts.append("".join(o.get("text", "")))
            data = o.get("data", {})
            parts.append("".join(data.get("text/plain", "")) + "".join(data.get("text/markdown", "")))
            parts.append("".join(data.get("text/html", "")))
    return "\n".join(parts)


def _run(out: Path, **params):
    import papermill as pm

    pm.execute_notebook(str(NB), str(out), parameters=params, kernel_name="python3", cwd=str(out.parent),
                        progress_bar=False)
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return os.environ.get("NEWSKIT_CACHE") or str(tmp_path_factory.mktemp("cache"))


def test_notebook_is_committed_clean():
    nb = nbformat.read(NB, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    for name in ("corpus", "date_from", "date_to", "actor_file", "actors", "cache_dir", "labels", "sample_size",
                 "seed"):
        assert f"{name} =" in code[0].source, name
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)


def test_notebook_without_and_with_labels(tmp_path, cache):
    from newskit import validation as V

    nb = _run(tmp_path / "no_labels.ipynb", cache_dir=cache, sample_size=40)
    text = _text(nb)
    assert "No labels yet" in text and "sample " in text
    # the page has a figure before any label (scripts/check_report.py flags a page without one)
    assert sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])) >= 1
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, "the labelling widget is not shown"
    assert not (tmp_path / "validation_labels").exists(), "nothing is written before an answer"

    # label the saved sample as two annotators, then run again with the folder
    folder = tmp_path / "labels"
    _run(tmp_path / "draw.ipynb", cache_dir=cache, sample_size=40, labels=str(folder))
    s = V.load_sample(folder / "sample.parquet")
    cycle = ["negative", "neutral", "positive", "neutral", "skip"]
    for who, shift in (("ada", 0), ("bo", 1)):
        ses = V.LabelSession(s, folder, annotator=who)
        for k in range(30):
            ses.answer(cycle[(k + shift * (k % 3 == 0)) % len(cycle)])
    nb = _run(tmp_path / "with_labels.ipynb", cache_dir=cache, sample_size=40, labels=str(folder))
    text = _text(nb)
    assert "No labels yet" not in text
    assert "macro_f1" in text and "kappa" in text and "alpha" in text
    assert "mean_raw" in text and "ci_high" in text and "n_labelled" in text
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images >= 2  # confusion matrix + corrected plot
    assert V.read_labels(folder, sample=s)["annotator"].value_counts().to_dict() == {"ada": 30, "bo": 30}

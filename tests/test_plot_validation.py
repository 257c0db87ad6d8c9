"""The validation plots draw what the tables say."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from newskit.plot.validation import plot_confusion, plot_corrected

C = ["negative", "neutral", "positive"]


def test_confusion_cells_and_colours():
    conf = pd.DataFrame([[4, 1, 0], [3, 3, 4], [0, 0, 5]], index=pd.Index(C, name="human"),
                        columns=pd.Index(C, name="model"))
    ax = plot_confusion(conf)
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["4\n80%", "1\n20%", "0\n0%", "3\n30%", "3\n30%", "4\n40%", "0\n0%", "0\n0%", "5\n100%"]
    img = ax.images[0].get_array()
    assert np.allclose(img, conf.to_numpy() / conf.to_numpy().sum(axis=1, keepdims=True))
    assert [t.get_text() for t in ax.get_xticklabels()] == C and ax.get_ylabel() == "human"
    ax2 = plot_confusion(conf, normalize=None)
    assert np.allclose(ax2.images[0].get_array(), conf.to_numpy()) and ax2.texts[0].get_text() == "4"


def test_corrected_plot_positions():
    t = pd.DataFrame({"actor": ["A", "B", "C"], "outlet": ["x", "x", "y"], "n": [10, 30, 20],
                      "mean_raw": [0.1, 0.2, 0.3], "ci_low_raw": [0.0, 0.1, 0.2], "ci_high_raw": [0.2, 0.3, 0.4],
                      "mean": [-0.1, -0.2, -0.3], "ci_low": [-0.3, -0.4, -0.5], "ci_high": [0.1, 0.0, -0.1]})
    ax = plot_corrected(t, top=2)
    assert [x.get_text() for x in ax.get_yticklabels()] == ["C × y (n=20)", "B × x (n=30)"]
    raw, cor = ax.containers
    assert np.allclose(raw.lines[0].get_xdata(), [0.3, 0.2]) and np.allclose(cor.lines[0].get_xdata(), [-0.3, -0.2])
    seg = cor.lines[2][0].get_segments()
    assert np.allclose([s[0][0] for s in seg], [-0.5, -0.4]) and np.allclose([s[1][0] for s in seg], [-0.1, 0.0])

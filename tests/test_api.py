"""The public API: every name re-exported by newskit has a runnable example that calls it."""
from __future__ import annotations

import doctest
import inspect

import pytest

import newskit


@pytest.mark.parametrize("name", sorted(newskit.__all__))
def test_every_public_name_has_a_runnable_example(name):
    obj = getattr(newskit, name)
    doc = inspect.getdoc(obj) or ""
    examples = [e for e in doctest.DocTestParser().get_examples(doc) if not e.options.get(doctest.SKIP)]
    assert any(name in e.source for e in examples), f"newskit.{name} has no (unskipped) example calling it"


def test_import_is_cheap():
    import subprocess
    import sys

    code = "import sys, newskit; print(sorted(m for m in ('spacy', 'onnxruntime', 'torch', 'sklearn') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

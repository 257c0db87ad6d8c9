"""Shared fixtures: locating ../shared and the demo corpus."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _shared_path(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared (test data beside the checkout) is not available here")
    return path


@pytest.fixture(scope="session")
def shared() -> "callable":
    """Return a function giving a path under ../shared, skipping the test when it is missing."""
    return _shared_path


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """The fictional demo corpus, generated once per test session."""
    from newskit.datasets import demo_corpus

    return demo_corpus(tmp_path_factory.mktemp("demo") / "corpus")

"""The Dask path of the out-of-core analyses: on a LocalCluster, entity_frequency and timeline over a parts
folder equal the in-memory pandas results (part-by-part reductions added up on the client)."""
from __future__ import annotations

import pandas as pd
import pytest

import newskit
from newskit.analysis import entity_frequency, timeline
from newskit.annotations import Annotations

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from newskit.datasets import demo_corpus
    from newskit.pipeline import annotate_to

    base = tmp_path_factory.mktemp("demo")
    arts = newskit.load_corpus(demo_corpus(base / "corpus")).head(40).reset_index(drop=True)
    return annotate_to(arts, base / "parts", part_size=15, n_process=1, cache_dir=base / "cache", progress=False)


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_dask_parts_equal_pandas(folder, client):
    from newskit.analysis.parquet import DaskParts

    mem = Annotations.load(folder)
    dp = DaskParts(folder, client=client)
    assert len(dp.parts) == 3
    for fn, kw in ((entity_frequency, {"by": "outlet"}), (entity_frequency, {"top": 4}),
                   (entity_frequency, {"by": ["outlet", "month"], "types": "person", "top": 3}),
                   (timeline, {"freq": "W", "by": "actor"}),
                   (timeline, {"freq": "W", "by": "actor", "metric": "mentions", "top": 3}),
                   (timeline, {"freq": "D", "by": "outlet", "normalize": "share"}),
                   (timeline, {"freq": "M", "metric": "mentions", "actors": [mem.mentions["actor"].iloc[0]],
                               "normalize": "per_article"})):
        want, got = fn(mem, **kw), fn(dp, **kw)
        assert len(want) > 0
        pd.testing.assert_frame_equal(got, want, check_dtype=True, obj=f"{fn.__name__}({kw})")
        assert got.attrs == want.attrs
    # the parts were reduced on the workers (they imported the reduction), not on the client
    loaded = client.run(lambda: "newskit.analysis.parquet" in __import__("sys").modules)
    assert len(loaded) == 2 and all(loaded.values())

"""newskit.pipeline.dask: the Dask engine gives the same tables as the local annotate() (correctness only)."""
from __future__ import annotations

import pandas as pd
import pytest

import newskit
from newskit.annotations import Annotations
from newskit.pipeline import annotate

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

N = 20


@pytest.fixture(scope="module")
def articles():
    from newskit.datasets import demo_corpus

    return newskit.load_corpus(demo_corpus()).head(N).reset_index(drop=True)


@pytest.fixture(scope="module")
def local(articles, tmp_path_factory):
    return annotate(articles, n_process=1, cache_dir=tmp_path_factory.mktemp("cache"), progress=False)


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


def _norm(df: pd.DataFrame, keys=("article_id", "start", "end")) -> pd.DataFrame:
    df = df.sort_values(list(keys), kind="stable").reset_index(drop=True)
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].astype(object).where(df[c].notna(), None)
    return df[sorted(df.columns)]


def _assert_same(a: Annotations, b: Annotations) -> None:
    for t, keys in (("sentences", ("article_id", "sent_id")),
                    ("mentions", ("article_id", "start", "end")),
                    ("dates", ("article_id", "start", "end"))):
        x, y = _norm(getattr(a, t), keys), _norm(getattr(b, t), keys)
        assert list(x.columns) == list(y.columns), t
        assert len(x) == len(y), t
        pd.testing.assert_frame_equal(x, y, check_dtype=False, obj=t)
    assert "actor" in b.mentions.columns and b.mentions["actor"].notna().all()


def test_dask_equals_local_from_parquet(articles, local, client, tmp_path):
    from newskit.corpus import to_parquet
    from newskit.pipeline.dask import annotate_dask

    src = to_parquet(articles, tmp_path / "corpus.parquet", rows_per_partition=7)  # 3 partitions
    out = annotate_dask(src, tmp_path / "ann", client=client)
    ann = Annotations.load(out)
    assert len(ann.articles) == N
    assert sorted(p.name for p in (tmp_path / "ann" / "mentions").glob("*.parquet")) == \
        ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    assert ann.meta["engine"] == "dask" and ann.meta["partitions"] == 3
    assert len(local.mentions) > 0 and len(local.sentences) > 0
    _assert_same(local, ann)
    # the model is loaded once per worker process, not once per partition
    loaded = client.run(lambda: sorted(__import__("newskit.pipeline.model").pipeline.model._MODELS))
    assert all(len(v) <= 1 for v in loaded.values())


def test_dask_from_pandas_with_empty_partition(client, tmp_path):
    from newskit.pipeline.dask import annotate_dask

    arts = pd.DataFrame({"article_id": ["x", "y", "z", "w"],
                         "text": ["", "Nothing here.", "Volodymyr Zelensky spoke in Kyiv on Monday.", ""],
                         "date": pd.to_datetime(["2022-03-01"] * 4)})
    out = annotate_dask(arts, tmp_path / "ann", client=client, npartitions=2)
    ann = Annotations.load(out)
    ref = annotate(arts, n_process=1, cache=False, progress=False)
    _assert_same(ref, ann)


def test_annotate_engine_dask(articles, local, client):
    ann = newskit.annotate(articles, engine="dask", engine_options={"client": client, "npartitions": 2},
                           progress=False)
    assert ann.meta["engine"] == "dask" and ann.meta["partitions"] == 2
    assert ann.articles["article_id"].tolist() == local.articles["article_id"].tolist()
    _assert_same(local, ann)
    with pytest.raises(ValueError, match="engine"):
        newskit.annotate(articles, engine="spark")

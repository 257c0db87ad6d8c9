"""Running pipeline steps on chunks of articles: serially, or on a pool of worker processes that each
load the spaCy model once (and only when a step needs it).
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
from typing import Any, Callable, Iterator, Mapping, Sequence

import pandas as pd

from newskit.pipeline.steps import Step, run_steps

__all__ = ["usable_cores", "default_n_process", "worker_pool", "run_chunks", "Chunk"]

#: one unit of work: articles (``article_id`` = cache key, ``text``, ``date``), the upstream tables of the
#: steps not run, and the names of the steps to run
Chunk = tuple[pd.DataFrame, Mapping[str, pd.DataFrame], tuple[str, ...]]

_WORKER: dict[str, Any] = {}


def usable_cores() -> int:
    """Cores this process may run on (``os.sched_getaffinity``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        return os.cpu_count() or 1


def default_n_process() -> int:
    """Default worker count: one per usable core, at most 4 (beyond that the parent's merging and
    the memory of one model per worker cost more than they gain on a laptop).

    >>> 1 <= default_n_process() <= 4
    True
    """
    return min(usable_cores(), 4)


def _init_worker(steps: Sequence[Step], options: dict) -> None:
    _WORKER["steps"] = {s.name: s for s in steps}
    _WORKER["options"] = options
    _WORKER["resources"] = {}


def _worker_run(articles: pd.DataFrame, tables: Mapping[str, pd.DataFrame], names: Sequence[str]):
    steps = [_WORKER["steps"][n] for n in names]
    return run_steps(articles, steps, tables=tables, options=_WORKER["options"], resources=_WORKER["resources"])


@contextlib.contextmanager
def worker_pool(steps: Sequence[Step], options: Mapping[str, Any], n_process: int) -> Iterator[Any]:
    """A process pool whose workers hold the steps (None when ``n_process`` ≤ 1)."""
    if n_process <= 1:
        yield None
        return
    # fork (like spaCy's own n_process) on POSIX: works from scripts without a __main__ guard and
    # shares what the parent already loaded; spawn elsewhere
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods and os.name == "posix" else "spawn")
    with cf.ProcessPoolExecutor(max_workers=n_process, mp_context=ctx, initializer=_init_worker,
                                initargs=(list(steps), dict(options))) as pool:
        yield pool


def run_chunks(chunks: Sequence[Chunk], *, steps: Sequence[Step], options: Mapping[str, Any],
               n_process: int, on_result: Callable[[pd.DataFrame, dict], None], bar,
               pool: Any = None, resources: dict | None = None) -> None:
    """Run every chunk, serially (``n_process`` ≤ 1 and no ``pool``) or on ``pool`` (else a new one),
    calling ``on_result(articles, outputs)`` in completion order and advancing the progress ``bar``."""
    by_name = {s.name: s for s in steps}
    if n_process <= 1 and pool is None:
        res = resources if resources is not None else {}
        for arts, tables, names in chunks:
            on_result(arts, run_steps(arts, [by_name[n] for n in names], tables=tables, options=options,
                                      resources=res))
            bar.update(len(arts))
        return
    with (contextlib.nullcontext(pool) if pool is not None else worker_pool(steps, options, n_process)) as pool:
        width = 3 * max(n_process, 1)
        pending: dict = {}
        it = iter(chunks)
        for c in it:
            pending[pool.submit(_worker_run, *c)] = c[0]
            if len(pending) >= width:
                break
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                arts = pending.pop(fut)
                on_result(arts, fut.result())
                bar.update(len(arts))
                nxt = next(it, None)
                if nxt is not None:
                    pending[pool.submit(_worker_run, *nxt)] = nxt[0]

"""The annotation pipeline: declared steps (:mod:`.steps`), their runner (:mod:`.runner`), per-step
caches (:mod:`.cache`), the spaCy model (:mod:`.model`), part folders (:mod:`.parts`) and the Dask
engine (:mod:`.dask`, needs the ``dask`` extra).

>>> from newskit.pipeline import default_steps
>>> len(default_steps())
8
"""
from __future__ import annotations

from newskit.pipeline.engine import annotate, annotate_partition, annotate_to
from newskit.pipeline.steps import Batch, Step, default_steps

__all__ = ["annotate", "annotate_to", "annotate_partition", "Step", "Batch", "default_steps"]

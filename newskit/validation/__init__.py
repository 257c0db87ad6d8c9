"""Validate the sentiment model on your own corpus: sample mentions, label them, measure, correct.

The loop (see ``docs/validation.md`` and ``notebooks/05_validation.ipynb``):

1. :func:`sample` draws a stratified random sample of *items* — distinct (sentence text, actor)
   pairs — from the mentions the analysis reports (strata = the ``by`` groups, e.g. actor × outlet),
   and records each item's inclusion probability, weight and stratum size.
2. :func:`label_widget` (Jupyter) or any editor writes one CSV of answers per annotator into a
   folder; every answer is appended and fsync'ed at once, undo appends a retraction row.
3. :func:`read_labels` reads them back, checking each row against the sample.
4. :func:`agreement` measures the model (precision / recall / F1, macro-F1, accuracy, confusion
   matrix) and two annotators (Cohen's kappa, Krippendorff's alpha).
5. :func:`corrected` combines the model's scores on every mention with the human labels on the
   sample (prediction-powered inference) into per-group means and class shares with intervals that
   stay valid when the model is biased.

Everything is numpy / pandas; ``ipywidgets`` is imported only inside :func:`label_widget`.

Layout: :mod:`._common` (constants, items, strata), :mod:`.sampling`, :mod:`.labels`, :mod:`.widget`,
:mod:`.agreement`, :mod:`.corrected`.
"""
from __future__ import annotations

from newskit.validation._common import CLASSES, VALUES, ANSWERS, RETRACT, LABEL_COLUMNS, SAMPLE_COLUMNS, LabelError, _by_list, _norm, _item_ids, _mentions_with_context, _population, _stratum_key, corpus_fingerprint, ALLOCATIONS, _allocate, _toy_annotations  # noqa: F401
from newskit.validation.sampling import sample, save_sample, load_sample  # noqa: F401
from newskit.validation.labels import _label_path, append_label, _last_seq, _read_label_file, read_labels, LabelSession  # noqa: F401
from newskit.validation.widget import item_html, KEYS, label_widget, sample_table  # noqa: F401
from newskit.validation.agreement import _model_labels, confusion, per_class, cohen_kappa, krippendorff_alpha, agreement  # noqa: F401
from newskit.validation.corrected import _cluster_se, corrected, MIN_TUNED, _tuned_lambda, _ppi_group_items  # noqa: F401

__all__ = ['ALLOCATIONS', 'ANSWERS', 'CLASSES', 'KEYS', 'LABEL_COLUMNS', 'LabelError', 'LabelSession', 'MIN_TUNED', 'RETRACT', 'SAMPLE_COLUMNS', 'VALUES', 'agreement', 'append_label', 'cohen_kappa', 'confusion', 'corpus_fingerprint', 'corrected', 'item_html', 'krippendorff_alpha', 'label_widget', 'load_sample', 'per_class', 'read_labels', 'sample', 'sample_table', 'save_sample']

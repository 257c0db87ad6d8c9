"""Label files: one append-only CSV per annotator, validated reading, the labelling session."""
from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from statistics import NormalDist
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from newskit.validation._common import _toy_annotations  # noqa: F401 (doctests)

from newskit.validation._common import ANSWERS, LABEL_COLUMNS, LabelError, RETRACT

# --------------------------------------------------------------------------- label files
def _label_path(folder: str | os.PathLike, annotator: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", annotator or ""):
        raise ValueError(f"annotator {annotator!r}: use letters, digits, '_', '-' or '.' (it names the file)")
    return Path(folder) / f"labels_{annotator}.csv"


def append_label(path: str | os.PathLike, *, sample: pd.DataFrame, item_id: str, label: str,
                 annotator: str) -> int:
    """Append one answer (or a ``"retract"``) to a label file and fsync it; returns its ``seq``.

    The file is created with a header when missing; it is never rewritten.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> p = Path(tempfile.mkdtemp()) / "labels_ann.csv"
    >>> append_label(p, sample=s, item_id=s["item_id"][0], label="positive", annotator="ann")
    1
    >>> read_labels(p, sample=s)[["item_id", "label"]].shape
    (1, 2)
    """
    if label not in ANSWERS and label != RETRACT:
        raise ValueError(f"label {label!r}: expected one of {list(ANSWERS) + [RETRACT]}")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    seq = 1
    new = not p.exists() or p.stat().st_size == 0
    if not new:
        last = _last_seq(p)
        seq = last + 1
    row = [seq, sample.attrs.get("sample_id", sample["sample_id"].iloc[0]),
           sample.attrs.get("corpus_fingerprint", sample["corpus_fingerprint"].iloc[0]), item_id, label,
           annotator, datetime.now(timezone.utc).isoformat(timespec="seconds")]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if new:
        w.writerow(LABEL_COLUMNS)
    w.writerow(row)
    fd = os.open(p, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, buf.getvalue().encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return seq


def _last_seq(p: Path) -> int:
    with open(p, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 4096))
        tail = fh.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(tail):
        head = line.split(",", 1)[0]
        if head.isdigit():
            return int(head)
    return 0


def _read_label_file(p: Path, sample: pd.DataFrame) -> pd.DataFrame:
    sid = sample.attrs.get("sample_id", str(sample["sample_id"].iloc[0]))
    fp = sample.attrs.get("corpus_fingerprint", str(sample["corpus_fingerprint"].iloc[0]))
    items = set(sample["item_id"].astype(str))
    rows = []
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return pd.DataFrame(columns=LABEL_COLUMNS + ["file", "row"])
        if header != LABEL_COLUMNS:
            raise LabelError(f"{p}: row 1: header {header} is not {LABEL_COLUMNS}")
        seen_seq: dict[int, int] = {}
        last = 0
        for line_no, rec in enumerate(reader, start=2):
            if not rec:
                continue
            if len(rec) != len(LABEL_COLUMNS):
                raise LabelError(f"{p}: row {line_no}: {len(rec)} fields, expected {len(LABEL_COLUMNS)}")
            d = dict(zip(LABEL_COLUMNS, rec))
            if not d["seq"].isdigit():
                raise LabelError(f"{p}: row {line_no}: seq {d['seq']!r} is not a positive integer")
            seq = int(d["seq"])
            if seq in seen_seq:
                raise LabelError(f"{p}: row {line_no}: duplicate row: seq {seq} already on row {seen_seq[seq]}")
            if seq < last:
                raise LabelError(f"{p}: row {line_no}: seq {seq} after {last}: rows out of order "
                                 "(files concatenated or edited?)")
            seen_seq[seq] = line_no
            last = seq
            if d["corpus_fingerprint"] != fp:
                raise LabelError(f"{p}: row {line_no}: labels for another corpus (fingerprint "
                                 f"{d['corpus_fingerprint']}, this corpus {fp})")
            if d["sample_id"] != sid:
                raise LabelError(f"{p}: row {line_no}: labels for another sample (sample_id {d['sample_id']}, "
                                 f"this sample {sid})")
            if d["item_id"] not in items:
                raise LabelError(f"{p}: row {line_no}: item_id {d['item_id']!r} is not in the sample")
            if d["label"] not in ANSWERS and d["label"] != RETRACT:
                raise LabelError(f"{p}: row {line_no}: unknown label {d['label']!r} (expected one of "
                                 f"{', '.join(ANSWERS + (RETRACT,))})")
            rows.append({**d, "seq": seq, "file": str(p), "row": line_no})
    return pd.DataFrame(rows, columns=LABEL_COLUMNS + ["file", "row"])


def read_labels(folder_or_file: str | os.PathLike, *, sample: pd.DataFrame, history: bool = False) -> pd.DataFrame:
    """Read label files (one CSV per annotator) and check every row against ``sample``.

    Parameters
    ----------
    folder_or_file : path
        A folder of ``labels_<annotator>.csv`` files or one such file.
    sample : DataFrame
        The sample the labels belong to (:func:`sample` or :func:`load_sample`).
    history : bool
        True: every row as written (answers and retractions). False (default): the current answer
        per (annotator, item): the last row wins, a retraction removes the answer.

    Returns
    -------
    DataFrame
        ``annotator, item_id, label, seq, time, file, row`` plus the sample's ``actor``, ``stratum``,
        ``weight``, ``article_id``, ``start``, ``end`` (and ``by`` columns).

    Raises
    ------
    LabelError
        Naming the file, the row and the reason: a label file of another corpus or sample, an item
        not in the sample, an unknown label, a duplicate row (same ``seq`` twice), rows out of
        order, two files for one annotator, a malformed row. Nothing is dropped silently.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> d = Path(tempfile.mkdtemp())
    >>> for lab in ("negative", "positive"):
    ...     _ = append_label(d / "labels_a.csv", sample=s, item_id=s["item_id"][0], label=lab, annotator="a")
    >>> read_labels(d, sample=s)["label"].tolist()  # the last answer wins
    ['positive']
    """
    p = Path(folder_or_file)
    if p.is_dir():
        files = sorted(p.glob("labels_*.csv"))
    elif p.exists():
        files = [p]
    else:
        raise FileNotFoundError(f"{p}: no such label file or folder")
    tables = [_read_label_file(f, sample) for f in files]
    lab = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=LABEL_COLUMNS + ["file", "row"])
    # one annotator, one file
    owner: dict[str, str] = {}
    for r in lab[["annotator", "file", "row"]].itertuples(index=False):
        if owner.setdefault(r.annotator, r.file) != r.file:
            raise LabelError(f"{r.file}: row {r.row}: annotator {r.annotator!r} also labels in {owner[r.annotator]} "
                             "(one file per annotator)")
    lab["seq"] = lab["seq"].astype("int64")
    lab["row"] = lab["row"].astype("int64")
    if not history:
        lab = lab.sort_values(["file", "seq"], kind="mergesort").drop_duplicates(["annotator", "item_id"], keep="last")
        lab = lab[lab["label"] != RETRACT]
    keep = ["item_id", "actor", "stratum", "weight", "article_id", "sent_id", "start", "end"] + \
        [c for c in sample.attrs.get("by", []) if c != "actor" and c in sample.columns]
    out = lab.merge(sample[[c for c in keep if c in sample.columns]], on="item_id", how="left")
    cols = ["annotator", "item_id", "label", "seq", "time", "file", "row"]
    return out[cols + [c for c in out.columns if c not in cols]].reset_index(drop=True)


# --------------------------------------------------------------------------- labelling session
@dataclass
class LabelSession:
    """The state behind :func:`label_widget`, usable without a browser.

    Every :meth:`answer` and :meth:`back` appends one row to ``labels_<annotator>.csv`` in
    ``folder`` (fsync'ed); reopening a session on the same folder resumes at the first item
    without an answer.

    Examples
    --------
    >>> import tempfile
    >>> s = sample(_toy_annotations(), n=3, by="actor", top=None)
    >>> d = tempfile.mkdtemp()
    >>> ses = LabelSession(s, d, annotator="ann")
    >>> ses.answer("negative"); ses.answer("skip"); ses.progress()
    '2 of 3'
    >>> LabelSession(s, d, annotator="ann").position  # a new session resumes
    2
    """

    sample: pd.DataFrame
    folder: str | os.PathLike
    annotator: str = "annotator"
    position: int = 0
    answers: dict = field(default_factory=dict)

    def __post_init__(self):
        self.sample = self.sample.sort_values("order").reset_index(drop=True) if "order" in self.sample \
            else self.sample.reset_index(drop=True)
        self.path = _label_path(self.folder, self.annotator)
        self.items = self.sample["item_id"].astype(str).tolist()
        if self.path.exists():
            cur = read_labels(self.path, sample=self.sample)
            self.answers = dict(zip(cur["item_id"], cur["label"]))
        self.position = self._first_open(0)

    def _first_open(self, start: int) -> int:
        for k in list(range(start, len(self.items))) + list(range(0, start)):
            if self.items[k] not in self.answers:
                return k
        return len(self.items)

    @property
    def done(self) -> bool:
        return self.position >= len(self.items)

    def current(self) -> pd.Series | None:
        """The row of the sample shown now (None when every item has an answer)."""
        return None if self.done else self.sample.iloc[self.position]

    def progress(self) -> str:
        return f"{len(self.answers)} of {len(self.items)}"

    def answer(self, label: str) -> None:
        """Record ``label`` for the current item and move to the next item without an answer."""
        if label not in ANSWERS:
            raise ValueError(f"label {label!r}: expected one of {list(ANSWERS)}")
        if self.done:
            return
        item = self.items[self.position]
        append_label(self.path, sample=self.sample, item_id=item, label=label, annotator=self.annotator)
        self.answers[item] = label
        self.position = self._first_open(self.position + 1 if self.position + 1 < len(self.items) else 0)

    def back(self) -> None:
        """Undo: go to the previous item and retract its answer (a ``retract`` row is appended)."""
        k = (self.position if self.position < len(self.items) else len(self.items)) - 1
        if k < 0:
            return
        item = self.items[k]
        if item in self.answers:
            append_label(self.path, sample=self.sample, item_id=item, label=RETRACT, annotator=self.annotator)
            del self.answers[item]
        self.position = k




from newskit.validation.sampling import sample  # noqa: E402,F401 (used by the examples above)

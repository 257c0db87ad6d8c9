"""The ``newskit`` command: ``info``, ``convert``, ``annotate`` and ``report``.

Examples
--------
>>> main(["info", "/no/such/folder"])
2
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from newskit._inputs import add_input_options

__all__ = ["main", "terminal_safe"]

# C0/C1 controls, DEL, line/paragraph separators, bidi overrides and isolates, and lone surrogates
# (undecodable file names): shown as escapes so data cannot move the cursor, recolour or reorder.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                     "\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(value: object) -> str:
    r"""``str(value)`` with control characters, bidi controls and lone surrogates shown escaped.

    Every line the command prints from data (paths, hosts, reasons) goes through this.

    >>> terminal_safe("evil\x1b[31m.example\u202e")
    'evil\\x1b[31m.example\\u202e'
    """
    return _UNSAFE.sub(_escape, str(value))


def _json_safe(text: str) -> str:
    # json.dumps already escapes C0 controls; C1, bidi controls and surrogates appear only inside
    # JSON strings, where a \uXXXX escape is the same value.
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _exists(path: str) -> bool:
    """A path, a (possibly broken) link, or a glob with at least one match: what the loader reads."""
    if os.path.lexists(path):
        return True
    return any(ch in path for ch in "*?[") and bool(glob.glob(os.path.expanduser(path), recursive=True))


def _outlet_names(command: str, args: argparse.Namespace) -> bool:
    """Check --outlet-names before any work; prints one line and returns False when it is bad."""
    from newskit.corpus import OutletNamesError, load_outlet_names

    if args.outlet_names is None:
        return True
    try:
        load_outlet_names(args.outlet_names)
    except OutletNamesError as exc:
        print(f"newskit {command}: {terminal_safe(exc)}", file=sys.stderr)
        return False
    return True


def _load(path: str, *, follow_symlinks: bool = False, columns=None, outlet_names=None):
    from newskit.corpus import CorpusWarning, load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return load_corpus(path, follow_symlinks=follow_symlinks, columns=columns, outlet_names=outlet_names)


def _nothing_loaded(command: str, path: str, articles) -> None:
    from newskit.corpus import rejects, skipped_note

    n_rejected = len(rejects(articles))
    why = [f"{n_rejected} rejected (listed above)" if n_rejected else "0 inputs rejected"]
    skipped = articles.attrs.get("skipped") or {}
    if skipped.get("count"):
        why.append(skipped_note(skipped))
        if skipped.get("examples"):
            why.append("e.g. " + ", ".join(terminal_safe(e) for e in skipped["examples"][:3]))
    elif not n_rejected:
        why.append("no files found")
    print(f"newskit {command}: {terminal_safe(path)}: no article could be loaded: {'; '.join(why)}",
          file=sys.stderr)


def _info(args: argparse.Namespace) -> int:
    from newskit.corpus import summary

    if not _exists(args.path):
        print(f"newskit info: {terminal_safe(args.path)}: no such file, folder or glob match", file=sys.stderr)
        return 2
    if not _outlet_names("info", args):
        return 2
    articles = _load(args.path, follow_symlinks=args.follow_symlinks, columns=args.columns,
                     outlet_names=args.outlet_names)
    facts = summary(articles)
    if args.json:
        print(_json_safe(json.dumps(facts, ensure_ascii=False, indent=None)))
    else:
        safe = terminal_safe
        print(safe(args.path))
        print(f"  articles    {facts['articles']:,}")
        print(f"  rejected    {len(facts['rejected']):,}")
        if facts["skipped"]["count"]:
            kinds = ", ".join(f"{n:,} {safe(k)}" for k, n in facts["skipped"]["kinds"].items())
            print(f"  skipped     {facts['skipped']['count']:,} by name ({kinds})")
        if facts["date_min"]:
            print(f"  dates       {facts['date_min']} .. {facts['date_max']}"
                  + (f"  ({facts['undated']} undated)" if facts["undated"] else ""))
        print(f"  paragraphs  {facts['paragraphs']:,}")
        print(f"  words       {facts['words']:,}")
        if facts["sources"]:
            print("  outlets")
            hosts = {safe(s): c for s, c in facts["sources"].items()}
            width = max(len(s) for s in hosts)
            for source, count in hosts.items():
                print(f"    {source:<{width}}  {count:>7,}")
        for rej in facts["rejected"]:
            where = f"{rej['path']}:{rej['line']}" if rej["line"] is not None else rej["path"]
            print(safe(f"  rejected: {where}: {rej['reason']}"
                       + (f" ({rej['detail']})" if rej["detail"] else "")))
    if facts["articles"] == 0:
        _nothing_loaded("info", args.path, articles)
        return 1
    return 0


def _convert(args: argparse.Namespace) -> int:
    from newskit.corpus import summary, to_parquet

    if not _exists(args.corpus):
        print(f"newskit convert: {terminal_safe(args.corpus)}: no such file, folder or glob match",
              file=sys.stderr)
        return 2
    if not _outlet_names("convert", args):
        return 2
    articles = _load(args.corpus, follow_symlinks=args.follow_symlinks, columns=args.columns,
                     outlet_names=args.outlet_names)
    if articles.empty:
        _nothing_loaded("convert", args.corpus, articles)
        return 1
    out = to_parquet(articles, args.out, rows_per_partition=args.rows_per_partition)
    facts = summary(articles)
    print(terminal_safe(f"wrote {facts['articles']:,} articles ({len(facts['rejected'])} rejected) to {out}"))
    return 0


def _annotate(args: argparse.Namespace) -> int:
    from newskit.pipeline.engine import annotate_to

    if not Path(args.corpus).exists():
        print(f"newskit annotate: {args.corpus}: no such file or folder", file=sys.stderr)
        return 2
    from newskit.actors import ActorFileError, check_actor_file

    try:  # before any annotation work: a typo in the actor file costs seconds, not a run
        check_actor_file(args.actor_file)
    except ActorFileError as exc:
        print(f"newskit annotate: {exc}", file=sys.stderr)
        return 2
    if not _outlet_names("annotate", args):
        return 2
    corpus = args.corpus
    if args.columns or args.outlet_names:  # read here with the mapping (a Parquet corpus too: in memory)
        corpus = _load(args.corpus, columns=args.columns, outlet_names=args.outlet_names)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        warnings.filterwarnings("default", message="newskit cache")  # an unwritable cache is said once
        try:
            out = annotate_to(corpus, args.out, model=args.model, n_process=args.n_process,
                              batch_size=args.batch_size, part_size=args.part_size, cache=not args.no_cache,
                              cache_dir=args.cache_dir, actor_file=args.actor_file, keep_groups=args.keep_groups,
                              sentiment_model=args.sentiment_model)
        except (FileExistsError, NotADirectoryError) as exc:  # OUT is a file, or a folder of other things
            print(f"newskit annotate: {terminal_safe(exc)}", file=sys.stderr)
            return 2
    meta = json.loads((out / "meta.json").read_text())
    print(f"annotated {meta['n_articles']:,} articles ({meta['n_annotated']:,} new, {meta['n_cached']:,} "
          f"from the cache) into {meta['partitions']} parts in {out}: {meta['n_mentions']:,} mentions, "
          f"{meta['seconds']:,.1f} s")
    for rej in meta["rejected"]:
        where = f"{rej['path']}:{rej['line']}" if rej.get("line") is not None else rej["path"]
        print(terminal_safe(f"  rejected: {where}: {rej['reason']}"), file=sys.stderr)
    if meta["n_articles"] == 0:
        print(f"newskit annotate: {args.corpus}: no article could be loaded", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``newskit`` command."""
    from newskit.pipeline.steps import DEFAULT_SENTIMENT_MODEL, SENTIMENT_MODELS

    parser = argparse.ArgumentParser(prog="newskit", description="Analyse news coverage.")
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="summarise a corpus: articles, rejects, dates, outlets")
    info.add_argument("path", metavar="PATH", help="folder, file, glob, archive or table of articles")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.add_argument("--follow-symlinks", action="store_true",
                      help="follow symbolic links that lead outside the corpus folder")
    add_input_options(info)
    info.set_defaults(func=_info)

    convert = sub.add_parser("convert", help="write a corpus as partitioned Parquet")
    convert.add_argument("corpus", metavar="CORPUS")
    convert.add_argument("out", metavar="OUT", help="output folder (e.g. corpus.parquet)")
    convert.add_argument("--rows-per-partition", type=int, default=1000)
    convert.add_argument("--follow-symlinks", action="store_true",
                         help="follow symbolic links that lead outside the corpus folder")
    add_input_options(convert)
    convert.set_defaults(func=_convert)

    ann = sub.add_parser("annotate", help="annotate a corpus of any size into a folder of Parquet parts "
                         "(read it with newskit.Annotations.load)")
    ann.add_argument("corpus", metavar="CORPUS", help="folder/file of articles or a Parquet corpus")
    ann.add_argument("out", metavar="OUT", help="output folder")
    ann.add_argument("--part-size", type=int, default=2000, help="articles per part (bounds memory)")
    ann.add_argument("--n-process", type=int, default=None, help="worker processes (default: cores, max 4)")
    ann.add_argument("--batch-size", type=int, default=32, help="spaCy nlp.pipe batch size")
    ann.add_argument("--model", default=None, help="spaCy model package or folder")
    ann.add_argument("--actor-file", default=None, help="YAML actor file")
    ann.add_argument("--keep-groups", action="store_true", help="keep NORP groups apart from countries")
    ann.add_argument("--sentiment-model", choices=SENTIMENT_MODELS, default=None,
                     help=f"target-sentiment model (default {DEFAULT_SENTIMENT_MODEL}; fast: for very large corpora)")
    ann.add_argument("--cache-dir", default=None, help="annotation cache (default $NEWSKIT_CACHE)")
    ann.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    add_input_options(ann)
    ann.set_defaults(func=_annotate)

    try:
        from newskit.report import add_report_parser
    except ImportError:  # pragma: no cover - report module optional at import time
        pass
    else:
        add_report_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The ``newskit`` command: ``info``, ``convert``, ``annotate`` and ``report``.

Examples
--------
>>> main(["info", "/no/such/folder"])
2
"""
from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main"]


def _load(path: str):
    from newskit.corpus import CorpusWarning, load_corpus

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CorpusWarning)
        return load_corpus(path)


def _info(args: argparse.Namespace) -> int:
    from newskit.corpus import summary

    if not Path(args.path).exists():
        print(f"newskit info: {args.path}: no such file or folder", file=sys.stderr)
        return 2
    facts = summary(_load(args.path))
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=None))
    else:
        print(f"{args.path}")
        print(f"  articles    {facts['articles']:,}")
        print(f"  rejected    {len(facts['rejected']):,}")
        if facts["date_min"]:
            print(f"  dates       {facts['date_min']} .. {facts['date_max']}"
                  + (f"  ({facts['undated']} undated)" if facts["undated"] else ""))
        print(f"  paragraphs  {facts['paragraphs']:,}")
        print(f"  words       {facts['words']:,}")
        if facts["sources"]:
            print("  outlets")
            width = max(len(s) for s in facts["sources"])
            for source, count in facts["sources"].items():
                print(f"    {source:<{width}}  {count:>7,}")
        for rej in facts["rejected"]:
            where = f"{rej['path']}:{rej['line']}" if rej["line"] is not None else rej["path"]
            print(f"  rejected: {where}: {rej['reason']}"
                  + (f" ({rej['detail']})" if rej["detail"] else ""))
    if facts["articles"] == 0:
        print(f"newskit info: {args.path}: no article could be loaded", file=sys.stderr)
        return 1
    return 0


def _convert(args: argparse.Namespace) -> int:
    from newskit.corpus import summary, to_parquet

    if not Path(args.corpus).exists():
        print(f"newskit convert: {args.corpus}: no such file or folder", file=sys.stderr)
        return 2
    articles = _load(args.corpus)
    if articles.empty:
        print(f"newskit convert: {args.corpus}: no article could be loaded", file=sys.stderr)
        return 1
    out = to_parquet(articles, args.out, rows_per_partition=args.rows_per_partition)
    facts = summary(articles)
    print(f"wrote {facts['articles']:,} articles ({len(facts['rejected'])} rejected) to {out}")
    return 0


def _annotate(args: argparse.Namespace) -> int:
    from newskit.pipeline.engine import annotate_to

    if not Path(args.corpus).exists():
        print(f"newskit annotate: {args.corpus}: no such file or folder", file=sys.stderr)
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = annotate_to(args.corpus, args.out, model=args.model, n_process=args.n_process,
                          batch_size=args.batch_size, part_size=args.part_size, cache=not args.no_cache,
                          cache_dir=args.cache_dir, actor_file=args.actor_file, keep_groups=args.keep_groups)
    meta = json.loads((out / "meta.json").read_text())
    print(f"annotated {meta['n_articles']:,} articles ({meta['n_annotated']:,} new, {meta['n_cached']:,} "
          f"from the cache) into {meta['partitions']} parts in {out}: {meta['n_mentions']:,} mentions, "
          f"{meta['seconds']:,.1f} s")
    for rej in meta["rejected"]:
        where = f"{rej['path']}:{rej['line']}" if rej.get("line") is not None else rej["path"]
        print(f"  rejected: {where}: {rej['reason']}", file=sys.stderr)
    if meta["n_articles"] == 0:
        print(f"newskit annotate: {args.corpus}: no article could be loaded", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``newskit`` command."""
    parser = argparse.ArgumentParser(prog="newskit", description="Analyse news coverage.")
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="summarise a corpus: articles, rejects, dates, outlets")
    info.add_argument("path", metavar="PATH", help="folder, file, glob, archive or table of articles")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(func=_info)

    convert = sub.add_parser("convert", help="write a corpus as partitioned Parquet")
    convert.add_argument("corpus", metavar="CORPUS")
    convert.add_argument("out", metavar="OUT", help="output folder (e.g. corpus.parquet)")
    convert.add_argument("--rows-per-partition", type=int, default=1000)
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
    ann.add_argument("--cache-dir", default=None, help="annotation cache (default $NEWSKIT_CACHE)")
    ann.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
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

"""``newskit report``: the command line of :func:`newskit.report.build_report`.

Notebook parameters are set papermill's way, ``-p NAME VALUE`` (VALUE read as YAML, so
``-p actors '["Vladimir Putin", "Volodymyr Zelensky"]'`` is a list and ``-p top_n 30`` a number),
and checked against the notebooks' ``parameters`` cells before any kernel starts. Every error is
printed once, as one line, with exit status 2; a failed notebook gives exit status 1.

>>> main_report(["demo", "-o", "/tmp/unused", "-p", "no_such_parameter", "1", "--quiet"])
2
"""
from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any, Sequence

from newskit._inputs import add_input_options
from newskit.report.execute import DEFAULT_TIMEOUT, parse_parameter_value

__all__ = ["add_report_parser", "report_command", "main_report"]

#: Options that are shorthands for a notebook parameter (added when a notebook declares it).
PARAMETER_ALIASES: dict[str, str] = {"--labels": "labels"}  # notebook 05: a folder of label files


def _iso_date(value: str) -> str:
    import datetime as _dt

    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None


def add_report_parser(subparsers) -> argparse.ArgumentParser:
    """Register the ``report`` subcommand on an ``argparse`` subparsers object.

    The handler is stored as ``func`` (``args.func(args) -> int`` exit code).

    >>> p = argparse.ArgumentParser(prog="newskit"); sub = p.add_subparsers()
    >>> args = add_report_parser(sub).parse_args(["demo", "-p", "top_n", "30", "-p", "freq", "M"])
    >>> args.parameters
    [['top_n', '30'], ['freq', 'M']]
    """
    p = subparsers.add_parser(
        "report", help="execute the notebooks on a corpus and write an offline HTML report",
        description="Execute every notebook on CORPUS with papermill and write standalone HTML pages, "
                    "the executed notebooks and index.html to DIR. Exit status 1 when a notebook failed "
                    "(the other pages are still written) or no article could be loaded; 2 for bad "
                    "arguments (checked before any kernel starts).")
    p.add_argument("corpus", metavar="CORPUS", nargs="?", default=None,
                   help="corpus folder or file, or 'demo' for the fictional demo corpus (not needed with --annotations)")
    p.add_argument("--annotations", metavar="DIR", default=None,
                   help="an annotations folder written by `newskit annotate CORPUS DIR`: the notebooks read it "
                        "out of core instead of annotating CORPUS (for 100,000+ articles)")
    p.add_argument("-o", "--out", metavar="DIR", default="reports",
                   help="output folder: new, empty or an earlier newskit report (default: reports)")
    p.add_argument("--overwrite", action="store_true",
                   help="write into a non-empty folder that is not a newskit report")
    p.add_argument("-p", "--parameter", metavar=("NAME", "VALUE"), nargs=2, action="append",
                   dest="parameters", default=[],
                   help="set a notebook parameter (VALUE read as YAML: -p top_n 30, "
                        "-p actors '[\"Vladimir Putin\"]'); repeatable")
    p.add_argument("--actor-file", metavar="FILE", dest="actor_file", help="YAML actor file")
    p.add_argument("--actors", metavar="FILE", dest="actors_deprecated", help=argparse.SUPPRESS)
    add_input_options(p)
    p.add_argument("--from", metavar="DATE", dest="date_from", type=_iso_date, help="first date (YYYY-MM-DD)")
    p.add_argument("--to", metavar="DATE", dest="date_to", type=_iso_date, help="last date (YYYY-MM-DD)")
    p.add_argument("--notebooks", metavar="NAME", nargs="+", help="notebooks to run (name or prefix, e.g. 00 01)")
    p.add_argument("--notebooks-dir", metavar="DIR", help="run the notebooks of DIR instead of newskit's")
    p.add_argument("--show-code", action="store_true", help="keep the code cells in the pages")
    p.add_argument("--timeout", type=float, metavar="SECONDS", default=DEFAULT_TIMEOUT,
                   help=f"per-cell timeout (default: {DEFAULT_TIMEOUT:.0f}; 0: none)")
    p.add_argument("--no-widgets", action="store_true",
                   help="do not fetch/use the widget scripts (widgets become notes)")
    p.add_argument("--jobs", type=int, metavar="N", default=None,
                   help="notebooks run at once (default: one per core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    for option, name in PARAMETER_ALIASES.items():
        p.add_argument(option, metavar="VALUE", dest=f"alias_{name}", help=f"same as -p {name} VALUE")
    p.set_defaults(func=report_command)
    return p


def _parameters(args: argparse.Namespace) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in args.parameters or []:
        params[name] = parse_parameter_value(value)
    for name in PARAMETER_ALIASES.values():
        value = getattr(args, f"alias_{name}", None)
        if value is not None:
            params[name] = value
    return params


def report_command(args: argparse.Namespace) -> int:
    """Run ``newskit report`` from parsed arguments; returns the exit status."""
    from newskit.report.build import build_report

    actor_file = args.actor_file
    if getattr(args, "actors_deprecated", None):
        msg = ("--actors FILE is deprecated and will be removed in the next release: use --actor-file FILE "
               "(to choose the actors shown, use -p actors '[\"Name\", ...]')")
        warnings.warn(msg, DeprecationWarning, stacklevel=2)
        print(f"newskit report: warning: {msg}", file=sys.stderr)
        if actor_file and actor_file != args.actors_deprecated:
            print("newskit report: error: --actors and --actor-file name different files", file=sys.stderr)
            return 2
        actor_file = args.actors_deprecated
    try:
        res = build_report(args.corpus, args.out, actor_file=actor_file, date_from=args.date_from,
                           date_to=args.date_to, notebooks=args.notebooks, show_code=args.show_code,
                           progress=not args.quiet, timeout=args.timeout or None, jobs=args.jobs,
                           assets=not getattr(args, "no_widgets", False), parameters=_parameters(args),
                           notebooks_dir=args.notebooks_dir, overwrite=args.overwrite,
                           columns=args.columns, outlet_names=args.outlet_names,
                           annotations=args.annotations)
    except (OSError, ValueError) as exc:  # every input error: one line, no traceback
        print(f"newskit report: error: {exc}", file=sys.stderr)
        return 2
    if res.problem:
        print(f"newskit report: {res.problem}", file=sys.stderr)
        return res.exit_code
    for nb in res.failures:
        print(f"newskit report: FAILED {nb.describe_error()}", file=sys.stderr)
    if res.removed:
        print(f"removed {len(res.removed)} stale file(s) of the previous report: {', '.join(res.removed)}")
    done = sum(nb.ok for nb in res.notebooks)
    print(f"{done}/{len(res.notebooks)} notebooks ok in {res.seconds:.0f} s; open {res.index}")
    return res.exit_code


def main_report(argv: Sequence[str] | None = None) -> int:
    """``python -m newskit.report CORPUS -o DIR …`` (same options as ``newskit report``)."""
    parser = argparse.ArgumentParser(prog="newskit")
    sub = parser.add_subparsers(dest="command", required=True)
    add_report_parser(sub)
    args = parser.parse_args(["report", *(argv if argv is not None else sys.argv[1:])])
    return args.func(args)

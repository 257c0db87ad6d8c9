"""The input vocabulary of every command that reads a corpus: which table columns newskit reads, the
``--columns NEWSKIT=COLUMN,...`` form that maps a table's own names onto them, and ``--outlet-names``.

Kept free of pandas so that the command line can build its parser (and refuse a bad option) in a
fraction of a second.

>>> parse_columns("title=headline,text=body")
{'headline': 'title', 'body': 'text'}
"""
from __future__ import annotations

from typing import Any

__all__ = ["INPUT_FIELDS", "parse_columns", "columns_option", "add_input_options"]

#: Table columns newskit reads (``load_corpus(columns=…)`` / ``--columns`` map a table's own names to these).
INPUT_FIELDS = ("title", "date", "url", "text", "outlet")


def parse_columns(spec: str) -> dict[str, str]:
    """Read the command-line form ``title=headline,date=published`` (newskit column = table
    column) into the mapping ``load_corpus(columns=…)`` takes (table column → newskit column).

    Raises
    ------
    ValueError
        Naming the faulty item: no ``=``, an empty name, a newskit column that does not exist or is
        given twice, or a table column given twice.

    >>> parse_columns("title=headline,date=published,url=link,text=body")
    {'headline': 'title', 'published': 'date', 'link': 'url', 'body': 'text'}
    >>> parse_columns("title=headline,body")
    Traceback (most recent call last):
    ...
    ValueError: --columns 'title=headline,body': item 2 'body' is not NEWSKIT=COLUMN (e.g. text=body)
    """
    if not isinstance(spec, str) or not spec.strip():
        raise ValueError("--columns: empty; give NEWSKIT=COLUMN pairs, e.g. title=headline,text=body")
    out: dict[str, str] = {}
    targets: set[str] = set()
    for number, item in enumerate(spec.split(","), start=1):
        where = f"--columns {spec!r}: item {number} {item.strip()!r}"
        if "=" not in item:
            raise ValueError(f"{where} is not NEWSKIT=COLUMN (e.g. text=body)")
        target, _, column = (part.strip() for part in item.partition("="))
        if not target or not column:
            raise ValueError(f"{where} has an empty name on one side of '='")
        if target not in INPUT_FIELDS:
            raise ValueError(f"{where}: {target!r} is not a newskit column; use one of {', '.join(INPUT_FIELDS)}")
        if target in targets:
            raise ValueError(f"{where}: {target} is mapped twice")
        if column in out:
            raise ValueError(f"{where}: column {column!r} is mapped twice")
        targets.add(target)
        out[column] = target
    return out


def columns_option(spec: str) -> dict[str, str]:
    """``--columns title=headline,date=published``: the ``argparse`` type (an error names the item).

    >>> columns_option("title=headline,text=body")
    {'headline': 'title', 'body': 'text'}
    """
    import argparse

    try:
        return parse_columns(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--columns ")) from None


def add_input_options(parser: Any) -> None:
    """Add ``--columns`` and ``--outlet-names`` to an ``argparse`` parser: the same two options on every
    command that reads a corpus (``info``, ``convert``, ``annotate``, ``report``).

    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_input_options(p)
    >>> p.parse_args(["--columns", "title=headline", "--outlet-names", "o.yml"])
    Namespace(columns={'headline': 'title'}, outlet_names='o.yml')
    """
    parser.add_argument("--columns", metavar="NEWSKIT=COLUMN,...", type=columns_option, default=None,
                        help="map a table's columns to newskit's, e.g. title=headline,date=published,"
                             "url=link,text=body (also outlet=COLUMN)")
    parser.add_argument("--outlet-names", metavar="FILE", default=None,
                        help="YAML file of 'host: Display name' lines extending the built-in outlet names")

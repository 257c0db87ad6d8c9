"""Tables shown in notebooks and reports: always escaped, long ones whole in a scrollable block.

pandas' ``Styler`` does not escape cell text by default, so an actor named
``<img src=x onerror=alert(1)>`` would become an image tag in the page; :func:`styled` turns
escaping on for the cells and both indexes. :func:`scroll_table` shows every row of a long table in a
block of bounded height instead of pandas' truncated "first 5 … last 5" view.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pandas as pd

__all__ = ["styled", "scroll_table", "table_html"]


def styled(df: pd.DataFrame, formats: Mapping[str, Any] | str | None = None, *, precision: int | None = None):
    """``df.style`` with every cell and index label HTML-escaped, and optional number formats.

    Parameters
    ----------
    df : DataFrame
    formats : mapping or str, optional
        Passed to ``Styler.format`` (e.g. ``{"share": "{:.1%}"}``).
    precision : int, optional
        Decimals of the other float cells.

    Returns
    -------
    pandas.io.formats.style.Styler

    Examples
    --------
    >>> html_ = styled(pd.DataFrame({"actor": ["<img src=x onerror=alert(1)>"], "share": [0.5]}),
    ...                {"share": "{:.1%}"}).to_html()
    >>> "<img" in html_, "&lt;img src=x onerror=alert(1)&gt;" in html_, "50.0%" in html_
    (False, True, True)
    """
    df = df.copy(deep=False)
    # Styler escapes cells and labels but not the index / column *names*: escape those here
    for axis in ("index", "columns"):
        idx = getattr(df, axis)
        setattr(df, axis, idx.set_names([None if n is None else html.escape(str(n)) for n in idx.names]))
    s = df.style.format(precision=precision, escape="html")
    if formats is not None:
        s = s.format(formats, precision=precision, escape="html")
    return s.format_index(escape="html", axis=0).format_index(escape="html", axis=1)


def table_html(df: pd.DataFrame, *, index: bool = False, float_format: str = "{:.3f}") -> str:
    """Every row of ``df`` as an escaped HTML table (no truncation).

    >>> print(table_html(pd.DataFrame({"a": ["<b>"]})))  # doctest: +NORMALIZE_WHITESPACE
    <table border="1" class="dataframe newskit-table"> <thead> <tr style="text-align: right;"> <th>a</th> </tr>
    </thead> <tbody> <tr> <td>&lt;b&gt;</td> </tr> </tbody> </table>
    """
    fmt = (lambda v: float_format.format(v)) if float_format else None
    return df.to_html(index=index, escape=True, max_rows=None, max_cols=None, float_format=fmt,
                      classes="newskit-table")


def scroll_table(df: pd.DataFrame, *, rows_visible: int = 15, index: bool = False, caption: str | None = None):
    """The whole table in a block that scrolls past ``rows_visible`` rows (HTML escaped).

    Parameters
    ----------
    df : DataFrame
    rows_visible : int
        Rows visible before the block scrolls.
    index : bool
        Show the index.
    caption : str, optional
        A line above the table (escaped), e.g. "65 rows".

    Returns
    -------
    IPython.display.HTML

    Examples
    --------
    >>> out = scroll_table(pd.DataFrame({"form": [f"f{i}" for i in range(40)]}), rows_visible=10)
    >>> out.data.count("<tr>"), "overflow: auto" in out.data
    (40, True)
    """
    from IPython.display import HTML

    body = table_html(df, index=index)
    style = ""
    if len(df) > rows_visible:
        # "max-height" is stripped by the report's CSS sanitiser; "height" and "overflow" are kept
        style = f' style="height: {1.9 * rows_visible + 2.2:.1f}em; overflow: auto;"'
    cap = f"<p>{html.escape(caption)}</p>" if caption else ""
    return HTML(f'{cap}<div class="newskit-scroll"{style}>{body}</div>')

"""The one style of newskit figures: palettes, literal text, date axes, empty-figure notes.

Every plot module draws through these helpers, so that

* the same actor (or outlet) keeps its colour on every figure of a report — each notebook calls
  :func:`use_palette` once with the corpus' annotations, and every plot and widget then looks colours
  up in that palette (:func:`colour`);
* text that comes from data (actor names, outlets, headlines, titles) is drawn literally:
  :func:`literal` escapes ``$`` so matplotlib never reads it as mathtext ("US sends $1bn to Ukraine,
  EU adds $2bn" keeps its dollars and ``$\\frac{1 now$`` does not fail);
* date axes read the same everywhere (:func:`date_axis`).

>>> p = Palette(["Vostria", "Dravenia"])
>>> p["Vostria"], p["Dravenia"]
('#1f77b4', '#ff7f0e')
>>> p["someone else"] == Palette(["Dravenia"])["someone else"]   # unranked names: stable hash colour
True
>>> literal("US sends $1bn to Ukraine, EU adds $2bn")
'US sends \\\\$1bn to Ukraine, EU adds \\\\$2bn'
"""
from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

__all__ = ["ACTOR_COLOURS", "OUTLET_COLOURS", "TYPE_COLOURS", "COLOUR_NAMES", "Palette", "actor_palette",
           "outlet_palette", "use_palette", "current_palette", "colour", "colours", "literal",
           "new_axes", "date_axis", "empty_note", "group_kind"]

#: colours given to actors in rank order (tab10, then the light tab20 shades of the same hues)
ACTOR_COLOURS: tuple[str, ...] = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
    "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
    "#dbdb8d", "#9edae5",
)
#: colours given to outlets in sorted-name order (Dark2 then Set2: distinct from the actor colours' order)
OUTLET_COLOURS: tuple[str, ...] = (
    "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
    "#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3",
)
#: actor types (entity-frequency bars with ``colour_by="type"``)
TYPE_COLOURS: dict[str, str] = {"person": "#4C72B0", "place": "#55A868", "organisation": "#C44E52",
                                "group": "#8172B2", "event": "#CCB974", "other": "#999999"}
#: plain-English names of the fixed colours used for two-series figures, so captions can name them
COLOUR_NAMES: dict[str, str] = {"#1f77b4": "blue", "#d62728": "red", "#ff7f0e": "orange",
                                "#2ca02c": "green", "#4c72b0": "blue", "#c44e52": "red", "#000000": "black"}


class Palette(Mapping):
    """A fixed colour for each name: ranked names get ``colours`` in order, any other name a colour
    chosen by a hash of the name (the same in every process), so a figure never depends on which
    other names it shows.

    Parameters
    ----------
    names : sequence of str
        Names in rank order (e.g. actors by mentions); each gets the next colour.
    colours : sequence of str, optional
        Hex colours (default :data:`ACTOR_COLOURS`).

    Examples
    --------
    >>> p = Palette(["B", "A"], colours=["#111111", "#222222"])
    >>> p["A"], len(p), list(p)
    ('#222222', 2, ['B', 'A'])
    """

    def __init__(self, names: Iterable[str] = (), *, colours: Sequence[str] = ACTOR_COLOURS):
        self.colours = tuple(colours)
        if not self.colours:
            raise ValueError("a palette needs at least one colour")
        self._ranked: dict[str, str] = {}
        for name in names:
            key = str(name)
            if key not in self._ranked and len(self._ranked) < len(self.colours):
                self._ranked[key] = self.colours[len(self._ranked)]

    def __getitem__(self, name: Any) -> str:
        key = str(name)
        got = self._ranked.get(key)
        if got is not None:
            return got
        return self.colours[zlib.crc32(key.encode("utf-8")) % len(self.colours)]

    def __iter__(self):
        return iter(self._ranked)

    def __len__(self) -> int:
        return len(self._ranked)

    def __contains__(self, name: object) -> bool:  # every name has a colour
        return True

    def __repr__(self) -> str:
        return f"Palette({list(self._ranked)!r})"


def _mentions_of(source: Any) -> pd.DataFrame | None:
    if isinstance(source, pd.DataFrame):
        return source if "actor" in source.columns else None
    return getattr(source, "mentions", None)


def _articles_of(source: Any) -> pd.DataFrame | None:
    if isinstance(source, pd.DataFrame):
        return source if ("outlet" in source.columns or "source" in source.columns) else None
    return getattr(source, "articles", None)


def actor_palette(source: Any, *, top: int | None = None) -> Palette:
    """The actors' palette of a corpus: actors ranked by mentions (ties by name) get the colours in order.

    Parameters
    ----------
    source : Annotations or mentions DataFrame (``actor`` column)
    top : int, optional
        Ranked actors (default: as many as there are colours, 20); the others get hash colours.

    Examples
    --------
    >>> m = pd.DataFrame({"actor": ["Kyiv", "Lviv", "Kyiv", None]})
    >>> actor_palette(m)["Kyiv"], actor_palette(m)["Lviv"]
    ('#1f77b4', '#ff7f0e')
    """
    names: list[str] = []
    if getattr(type(source), "__newskit_out_of_core__", False):  # an annotations folder: counted in SQL
        from newskit.analysis import entity_frequency

        # entity_frequency is ranked by mentions, ties by name: the order below
        return Palette(entity_frequency(source)["actor"].astype(str).head(top or len(ACTOR_COLOURS)).tolist(),
                       colours=ACTOR_COLOURS)
    m = _mentions_of(source)
    if m is not None and "actor" in m.columns and len(m):
        counts = m["actor"].dropna().astype(str).value_counts()
        order = pd.DataFrame({"actor": counts.index, "n": counts.to_numpy()})
        names = order.sort_values(["n", "actor"], ascending=[False, True])["actor"].tolist()
    return Palette(names[: top or len(ACTOR_COLOURS)], colours=ACTOR_COLOURS)


def outlet_palette(source: Any) -> Palette:
    """The outlets' palette: outlet display names and source hosts, each sorted by name, get the colours
    in order (an outlet and its host get the same colour).

    Examples
    --------
    >>> a = pd.DataFrame({"outlet": ["Ledger Wire", "Coastline Herald"], "source": ["lw.example", "ch.example"]})
    >>> p = outlet_palette(a)
    >>> p["Coastline Herald"] == p["ch.example"] == OUTLET_COLOURS[0]
    True
    """
    a = _articles_of(source)
    names: list[str] = []
    hosts: dict[str, str] = {}
    if a is not None and len(a):
        col = "outlet" if "outlet" in a.columns else "source"
        pairs = a[[c for c in ("outlet", "source") if c in a.columns]].dropna().astype(str).drop_duplicates()
        names = sorted(pairs[col].unique())
        if col == "outlet" and "source" in pairs.columns:
            hosts = dict(zip(pairs["source"], pairs["outlet"]))
    p = Palette(names, colours=OUTLET_COLOURS)
    for host, outlet in hosts.items():
        if host not in p._ranked and outlet in p._ranked:
            p._ranked[host] = p._ranked[outlet]
    return p


_CURRENT: dict[str, Palette] = {}


def use_palette(source: Any = None, *, actors: Palette | None = None, outlets: Palette | None = None) -> dict:
    """Set the palettes every plot and widget uses from now on (call once per notebook, on the whole
    corpus' annotations, so every page of a report agrees).

    Parameters
    ----------
    source : Annotations or articles DataFrame, optional
        Build the actor palette from its mentions (when it has any) and the outlet palette from its
        articles. ``None`` with no other argument resets to the default (hash colours only).
    actors, outlets : Palette, optional
        Explicit palettes (override ``source``).

    Returns
    -------
    dict
        ``{"actor": Palette, "outlet": Palette}`` now in use.

    Examples
    --------
    >>> _ = use_palette(pd.DataFrame({"actor": ["B", "A", "A"]}))
    >>> colour("A"), colour("B")
    ('#1f77b4', '#ff7f0e')
    >>> _ = use_palette()
    """
    _CURRENT.clear()
    if source is not None:
        if _mentions_of(source) is not None or getattr(type(source), "__newskit_out_of_core__", False):
            _CURRENT["actor"] = actor_palette(source)
        if _articles_of(source) is not None:
            _CURRENT["outlet"] = outlet_palette(source)
    if actors is not None:
        _CURRENT["actor"] = actors
    if outlets is not None:
        _CURRENT["outlet"] = outlets
    return current_palette()


def current_palette() -> dict:
    """The palettes in use: ``{"actor": Palette, "outlet": Palette}`` (defaults: hash colours only).

    >>> sorted(current_palette())
    ['actor', 'outlet']
    """
    return {"actor": _CURRENT.get("actor") or Palette(colours=ACTOR_COLOURS),
            "outlet": _CURRENT.get("outlet") or Palette(colours=OUTLET_COLOURS)}


def group_kind(column: str | None) -> str:
    """Which palette a group column uses: ``"outlet"`` for outlet/source columns, else ``"actor"``.

    >>> group_kind("source"), group_kind("actor"), group_kind("series")
    ('outlet', 'actor', 'actor')
    """
    return "outlet" if column in ("outlet", "source") else "actor"


def colour(name: Any, *, kind: str = "actor", palette: Mapping[str, str] | None = None) -> str:
    """The colour of one name: from ``palette`` when given (and it has the name), else the current
    palette of ``kind`` (``"actor"`` or ``"outlet"``).

    >>> colour("x", palette={"x": "#000000"})
    '#000000'
    """
    if palette is not None:
        got = palette.get(str(name)) if hasattr(palette, "get") else None
        if got is not None:
            return got
    if kind not in ("actor", "outlet"):
        raise ValueError(f"kind must be 'actor' or 'outlet', not {kind!r}")
    return current_palette()[kind][str(name)]


def colours(names: Iterable[Any], *, kind: str = "actor", palette: Mapping[str, str] | None = None) -> list[str]:
    """Colours of several names (see :func:`colour`).

    >>> colours(["a", "b"], palette={"a": "#000000", "b": "#ffffff"})
    ['#000000', '#ffffff']
    """
    return [colour(n, kind=kind, palette=palette) for n in names]


def literal(text: Any) -> str:
    """``text`` as a string matplotlib draws literally: every ``$`` escaped (no mathtext from data).

    Parameters
    ----------
    text : any
        Converted with ``str``; ``None`` becomes ``""``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> t = ax.set_title(literal(r"$\\frac{1 now$"))
    >>> fig.canvas.draw()   # would raise ValueError (mathtext) without literal()
    >>> plt.close(fig)
    """
    if text is None:
        return ""
    return str(text).replace("$", r"\$")


def new_axes(ax=None, *, figsize: tuple[float, float] = (7, 4.5)):
    """``ax`` itself, or the axes of a new figure of ``figsize``.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> new_axes(figsize=(3, 2)).figure.get_size_inches().tolist()
    [3.0, 2.0]
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def date_axis(ax, *, axis: str = "x") -> None:
    """Concise date ticks (3–10 of them) on ``axis``.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = new_axes()
    >>> _ = ax.plot(pd.date_range("2023-01-01", periods=3), [1, 2, 3])
    >>> date_axis(ax)
    >>> type(ax.xaxis.get_major_formatter()).__name__
    'ConciseDateFormatter'
    """
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=10)
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(loc)
    target.set_major_formatter(mdates.ConciseDateFormatter(loc))


def empty_note(ax, message: str, *, hide_axes: bool = False):
    """Write ``message`` in the middle of an empty figure (so it is never a blank box).

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> empty_note(new_axes(), "no data").texts[0].get_text()
    'no data'
    """
    ax.text(0.5, 0.5, literal(message), transform=ax.transAxes, ha="center", va="center", color="0.4")
    if hide_axes:
        ax.set_axis_off()
    return ax

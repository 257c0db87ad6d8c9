"""HTML safety for report pages: sanitise notebook outputs with ``nh3`` (the Rust ``ammonia``
sanitiser) and give external links ``rel="noopener noreferrer"``.

What survives :func:`sanitize_html`: tables, text formatting, lists, headings, ``<style>`` blocks
(pandas ``Styler``), images and links. What does not:

- scripts, iframes, forms, objects, event handler attributes, comments;
- ``javascript:``, ``vbscript:`` and ``data:`` links (``<a href="data:text/html,…">``);
- images from anywhere but the page itself: an ``img src`` must be a relative path or an inline
  raster image (``data:image/png|jpeg|gif|webp;base64,…``); absolute (``https://…``) and
  protocol-relative (``//host/…``) sources are removed, so a page never fetches a remote image;
- CSS that could load something (``url(…)``, ``image-set(…)``, ``@import``, ``expression(…)``,
  CSS escapes) in ``<style>`` blocks and ``style`` attributes.

Tags that are not allowed are shown as text rather than dropped, so that an article title such as
``<script>alert(1)</script>`` reads as written.

>>> sanitize_html('<b>ok</b><script>alert(1)</script>')
'<b>ok</b>&lt;script&gt;alert(1)&lt;/script&gt;'
>>> sanitize_html('<img src="https://evil.example/a.png"><a href="data:text/html,x">x</a>')
'<img><a>x</a>'
>>> add_rel_noopener('<a href="https://x.example/a">a</a> <a href="#top">b</a>')
'<a href="https://x.example/a" rel="noopener noreferrer">a</a> <a href="#top">b</a>'
"""
from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Iterable

__all__ = ["sanitize_html", "add_rel_noopener", "clean_css", "clean_notebook", "ALLOWED_TAGS"]

#: Tags kept by :func:`sanitize_html`; any other tag is shown as text.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "style", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul", "var",
})
_GENERIC_ATTRIBUTES = {"class", "id", "title", "style", "lang", "dir", "align"}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "rel", "target", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "table": {"border", "cellpadding", "cellspacing"},
    "col": {"span"},
    "colgroup": {"span"},
    "style": {"type"},
    "ol": {"start", "type"},
}
_URL_SCHEMES = {"http", "https", "mailto", "data"}  # data: only for inline raster images (below)

_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
_INLINE_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$", re.IGNORECASE)
_CSS_FETCH = re.compile(r"(url|image-set|image|cross-fade|element|expression|-webkit-image-set)\s*\(",
                        re.IGNORECASE)
_CSS_AT_IMPORT = re.compile(r"@import\b[^;{}]*;?", re.IGNORECASE)


def clean_css(css: str) -> str:
    """Neutralise CSS that could fetch a resource or run code; the rest is kept.

    Backslash escapes are removed first (``u\\72l(`` spells ``url(``), then every ``url(``,
    ``image-set(``, ``image(``, ``cross-fade(``, ``element(`` and ``expression(`` becomes an
    invalid function (the browser drops the declaration) and ``@import`` rules are removed.

    >>> clean_css("td { color: red; background: URL(https://x.example/a.png) }")
    'td { color: red; background: invalid(https://x.example/a.png) }'
    >>> clean_css('@import "https://x.example/a.css"; p { color: blue }')
    ' p { color: blue }'
    """
    css = css.replace("\\", "")
    css = _CSS_AT_IMPORT.sub("", css)
    return _CSS_FETCH.sub("invalid(", css)


def _url_kind(value: str) -> tuple[str, str]:
    """(scheme or "", value without whitespace/control characters)."""
    compact = _CONTROL.sub("", html.unescape(value))
    m = _SCHEME.match(compact)
    return (m.group(1).lower() if m else ""), compact


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "style":
        return clean_css(value)
    if tag == "a" and attr == "href":
        scheme, compact = _url_kind(value)
        return None if scheme == "data" else value
    if tag == "img" and attr == "src":
        scheme, compact = _url_kind(value)
        if scheme == "data":
            return value if _INLINE_IMAGE.match(compact) else None
        if scheme or compact.startswith(("//", "\\\\", "/\\", "\\/")):
            return None  # absolute or protocol-relative: a request leaving the page
        return value
    return value


class _EscapeDisallowed(HTMLParser):
    """Re-emit HTML with every disallowed tag escaped (shown as text); comments and declarations
    are dropped. This only decides what is shown as text: ``nh3`` does the sanitising after it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self._raw_escaped = False  # inside <script>…</script> (escaped): its text is text too

    def handle_starttag(self, tag, attrs):
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in ALLOWED_TAGS:
            self.out.append(raw)
        else:
            self.out.append(html.escape(raw, quote=False))
            if tag in self.CDATA_CONTENT_ELEMENTS:
                self._raw_escaped = True

    def handle_startendtag(self, tag, attrs):
        raw = self.get_starttag_text() or f"<{tag}/>"
        self.out.append(raw if tag in ALLOWED_TAGS else html.escape(raw, quote=False))

    def handle_endtag(self, tag):
        if tag in ALLOWED_TAGS:
            self.out.append(f"</{tag}>")
        else:
            self.out.append(html.escape(f"</{tag}>", quote=False))
            self._raw_escaped = False

    def handle_data(self, data):
        if self._raw_escaped:
            self.out.append(html.escape(data, quote=False))
        elif self.lasttag == "style" and self.cdata_elem == "style":
            self.out.append(clean_css(data))
        else:
            self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def handle_comment(self, data):
        return None

    def handle_decl(self, decl):
        return None

    def handle_pi(self, data):
        return None

    def unknown_decl(self, data):
        self.out.append(html.escape(f"<![{data}]>", quote=False))

    def result(self) -> str:
        self.close()
        rest = self.rawdata  # an unterminated tag left in the buffer: text
        return "".join(self.out) + html.escape(rest, quote=False)


def sanitize_html(fragment: str) -> str:
    """Sanitise an HTML fragment from a notebook output (see the module docstring for the rules).

    Parameters
    ----------
    fragment : str
        HTML from a ``text/html`` or ``text/markdown`` output.

    Returns
    -------
    str
        Safe HTML: allowed tags and attributes only, other tags escaped, no remote images, no
        ``data:``/``javascript:`` links, no CSS that fetches.

    Examples
    --------
    >>> sanitize_html('<p onclick="x()"><a href="javascript:alert(1)">x</a></p>')
    '<p><a>x</a></p>'
    >>> sanitize_html('<img src="//evil.example/x.png" alt="x"> <img src="figure.png">')
    '<img alt="x"> <img src="figure.png">'
    """
    import nh3

    parser = _EscapeDisallowed()
    parser.feed(fragment)
    escaped = parser.result()
    attributes = {tag: set(attrs) for tag, attrs in _ALLOWED_ATTRIBUTES.items()}
    attributes["*"] = set(_GENERIC_ATTRIBUTES)
    return nh3.clean(escaped, tags=set(ALLOWED_TAGS), clean_content_tags=set(),
                     attributes=attributes, attribute_filter=_attribute_filter,
                     url_schemes=set(_URL_SCHEMES), strip_comments=True, link_rel=None)


_A_TAG = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"""\shref\s*=\s*(["']?)\s*https?:""", re.IGNORECASE)
_REL = re.compile(r"""\srel\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)
_SCRIPT_BLOCK = re.compile(r"(<script\b.*?</script\s*>)", re.IGNORECASE | re.DOTALL)


def _fix_anchor(match: re.Match) -> str:
    tag = match.group(0)
    if not _HREF.search(tag):
        return tag
    rel = _REL.search(tag)
    if rel:
        values = rel.group(1).strip("'\"").split()
        for v in ("noopener", "noreferrer"):
            if v not in values:
                values.append(v)
        return tag[: rel.start()] + f' rel="{" ".join(values)}"' + tag[rel.end():]
    end = -2 if tag.endswith("/>") else -1
    return tag[:end] + ' rel="noopener noreferrer"' + tag[end:]


def add_rel_noopener(page: str) -> str:
    """Give every ``<a href="http(s)://…">`` ``rel="noopener noreferrer"`` (script bodies untouched).

    >>> add_rel_noopener("<a rel='nofollow' href='http://x.example'>x</a>")
    '<a rel="nofollow noopener noreferrer" href=\\'http://x.example\\'>x</a>'
    """
    parts = _SCRIPT_BLOCK.split(page)
    return "".join(p if i % 2 else _A_TAG.sub(_fix_anchor, p) for i, p in enumerate(parts))


_SVG_UNSAFE = re.compile(r"<script\b|\son\w+\s*=|(?:xlink:)?href\s*=\s*[\"']?\s*(?!#)[a-z/\\]|<foreignObject\b"
                         r"|url\s*\(\s*[\"']?\s*(?!#)", re.IGNORECASE)


def _clean_output_data(data: dict) -> None:
    """Sanitise the HTML/Markdown of one output bundle in place; drop JavaScript and unsafe SVG."""
    for key in ("text/html", "text/markdown"):
        if key in data:
            value = data[key]
            text = "".join(value) if isinstance(value, list) else str(value)
            if key == "text/html":
                data[key] = add_rel_noopener(sanitize_html(text))
            else:  # Markdown may carry raw HTML: escape tags, keep the Markdown
                data[key] = sanitize_html(text)
    svg = data.get("image/svg+xml")
    if svg is not None:  # nbconvert inlines SVG markup: only plain drawings (matplotlib) are kept
        text = "".join(svg) if isinstance(svg, list) else str(svg)
        if _SVG_UNSAFE.search(text):
            del data["image/svg+xml"]
            if not data:
                data["text/plain"] = "(SVG output with scripts or external references removed from the report)"
    if "application/javascript" in data and len(data) > 1:
        del data["application/javascript"]
    elif "application/javascript" in data:
        data["text/plain"] = "(JavaScript output removed from the report)"
        del data["application/javascript"]


def _clean_outputs(outputs: Iterable[dict]) -> None:
    for out in outputs:
        if isinstance(out, dict) and isinstance(out.get("data"), dict):
            _clean_output_data(out["data"])


def clean_notebook(nb) -> None:
    """Sanitise every HTML output of an executed notebook in place, including outputs captured by
    ``Output`` widgets and the values of ``HTML`` widgets in the saved widget state.

    Parameters
    ----------
    nb : nbformat.NotebookNode

    Examples
    --------
    >>> from nbformat.v4 import new_notebook, new_code_cell, new_output
    >>> cell = new_code_cell("x", outputs=[new_output("display_data",
    ...                                               {"text/html": '<img src="https://e.example/i.png">'})])
    >>> nb = new_notebook(cells=[cell])
    >>> clean_notebook(nb)
    >>> nb.cells[0].outputs[0].data["text/html"]
    '<img>'
    """
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            _clean_outputs(cell.get("outputs", []))
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in (state.get("state") or {}).values():
        st = model.get("state", {})
        if isinstance(st.get("outputs"), list):
            _clean_outputs(st["outputs"])
        if model.get("model_name") in ("HTMLModel", "HTMLMathModel") and isinstance(st.get("value"), str):
            st["value"] = add_rel_noopener(sanitize_html(st["value"]))
        if st.get("description_allow_html") and isinstance(st.get("description"), str):
            st["description"] = sanitize_html(st["description"])

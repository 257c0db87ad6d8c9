"""HTML fragments built from analysis tables (every piece of data escaped).

>>> import pandas as pd
>>> examples_html(pd.DataFrame(columns=["kind"]))
'<div class="newskit-examples"><p>No examples.</p></div>'
"""
from __future__ import annotations

import pandas as pd

__all__ = ["examples_html"]


def examples_html(examples: pd.DataFrame) -> str:
    """HTML list of example sentences with the mention in ``<mark>`` (every text piece escaped).

    >>> ex = pd.DataFrame({"kind": ["most negative"], "score": [-0.5], "sentence": ["<b>Smith</b> lied."],
    ...                    "m_start": [3], "m_end": [8], "source": ["x.example"], "date": [pd.Timestamp("2023-05-01")]})
    >>> print(examples_html(ex))
    <div class="newskit-examples"><h4>most negative</h4><ul><li><span>&lt;b&gt;<mark>Smith</mark>&lt;/b&gt; lied.</span> <small>(score -0.50; x.example; 2023-05-01)</small></li></ul></div>
    """
    import html

    if len(examples) == 0:
        return '<div class="newskit-examples"><p>No examples.</p></div>'
    parts = ['<div class="newskit-examples">']
    for kind, g in examples.groupby("kind", sort=False):
        parts.append(f"<h4>{html.escape(str(kind))}</h4><ul>")
        for r in g.itertuples(index=False):
            text = str(r.sentence)
            a, b = int(r.m_start), int(r.m_end)
            body = (html.escape(text[:a]) + "<mark>" + html.escape(text[a:b]) + "</mark>" + html.escape(text[b:]))
            meta = [f"score {float(r.score):+.2f}"]
            src = getattr(r, "outlet", None) or getattr(r, "source", None)
            if isinstance(src, str) and src:
                meta.append(html.escape(src))
            d = getattr(r, "date", None)
            if d is not None and pd.notna(d):
                meta.append(html.escape(str(pd.Timestamp(d).date())))
            parts.append(f"<li><span>{body}</span> <small>({'; '.join(meta)})</small></li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)

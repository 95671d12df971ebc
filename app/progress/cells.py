"""The figures of one row of the progress tables as table cells, written in Python.

The dashboard has a row per assessed unit (1 000 and more) with up to nine figures each; a Jinja
macro looping over them was about a fifth of the page's time (DESIGN.md §7: ≤ 100 ms at
1 000 000 invitations). Registered as the template global `count_cells` (app/progress/routes.py).
"""
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.core.formats import DASH, percent


def count_cells(counts, shown) -> Markup:
    """`<td class="num">…</td>` per figure the reader may see (`shown`), the rate as `82,2 %`; a
    figure withheld from this reader (None, app/progress/folding.py) reads "ẩn" with the reason."""
    out = []
    for key in shown:
        if key == "rate":
            rate = counts.rate
            text = DASH if rate is None else escape(percent(rate))
        else:
            value = getattr(counts, key)
            if value is None:
                text = Markup('<span class="muted" title="{}">{}</span>').format(
                    _("Ẩn: quá ít người được mời, con số sẽ cho biết từng người đã trả lời hay chưa."), _("ẩn"))
            else:
                text = str(value) if type(value) is int else escape(value)
        out.append(f'<td class="num">{text}</td>')
    return Markup("".join(out))

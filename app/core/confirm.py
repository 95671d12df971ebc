"""A confirmation step that says what will change, before anything irreversible (issue 14 point 9).

The view is posted once without `confirmed=1`: it answers with a page listing the consequences
and a form that posts the same fields again with `confirmed=1`. No JavaScript is involved.
"""
from flask import render_template, request

#: Fields never carried over: the marker itself.
SKIP = ("confirmed",)


def confirmed() -> bool:
    return request.form.get("confirmed") == "1"


def confirm_page(title: str, consequences: list[str], button: str, back_url: str, danger: bool = True,
                 possible: bool = True):
    """The page asking to confirm, re-posting every field of the request (CSRF token included).

    `possible=False`: the consequences say why there is nothing to do; the page offers only the way back."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in SKIP]
    return render_template("core/confirm.html", title=title, consequences=consequences, button=button,
                           back_url=back_url, fields=fields, action=request.path, danger=danger, possible=possible)

"""Role policy: every route declares who may use it; undeclared routes are refused (fail closed)."""
from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

PUBLIC = "public"  # anyone, also anonymous (login page, respondent links)
ANY_USER = "any"  # any signed-in account
STAFF_ROLES = ("admin", "coordinator")


def allow(*roles: str):
    """Declare which roles may call a view: allow("admin", "coordinator"), allow(PUBLIC) …"""

    def deco(view):
        view.allowed_roles = frozenset(roles)
        return view

    return deco


def check_request() -> None:
    """before_request hook: apply the declared policy of the endpoint."""
    if request.endpoint is None or request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    roles = getattr(view, "allowed_roles", None)
    if roles is None:
        abort(403)
    if PUBLIC in roles:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if ANY_USER in roles or current_user.role in roles:
        return None
    abort(403)


def require_unit(unit_code: str) -> None:
    """Abort 403 unless the signed-in account may see this unit (focal scope)."""
    if not current_user.can_see_unit(unit_code):
        abort(403)

"""Home page, language switch and a health check."""
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.extensions import db

from .policy import ANY_USER, PUBLIC, allow
from .redirects import safe_next

bp = Blueprint("core", __name__, template_folder="templates")


@bp.record_once
def register_filters(state) -> None:
    from . import formats, labels

    state.app.jinja_env.filters.update(formats.FILTERS)
    state.app.jinja_env.filters.update(labels.FILTERS)


@bp.app_context_processor
def template_helpers():
    from flask_babel import get_locale

    from .nav import ROLE_LABELS, links_for

    return {
        "current_lang": lambda: str(get_locale() or "vi"),
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "campaign_links": links_for,
    }


@bp.route("/")
@allow(ANY_USER)
def home():
    from app.models import Campaign

    campaigns = db.session.scalars(db.select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())).all()
    if current_user.role == "focal":
        from .tasks import focal_tasks

        return render_template("core/focal_home.html", campaigns=campaigns, tasks=focal_tasks(current_user))
    return render_template("core/home.html", campaigns=campaigns, user=current_user)


@bp.route("/lang/<code>")
@allow(PUBLIC)
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    # Only same-site paths: an open redirect would let a phishing mail borrow our address.
    response = redirect(safe_next(request.args.get("next")) or url_for("core.home"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.route("/healthz")
@allow(PUBLIC)
def health():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}

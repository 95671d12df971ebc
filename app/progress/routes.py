"""Progress dashboard, unit drill-down, focal units' view, exports and the JSON endpoint."""
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core import clock
from app.core.labels import label
from app.core.lookups import campaign_or_404, unit_or_404
from app.core.policy import STAFF_ROLES, allow, require_unit
from app.core.redirects import safe_next
from app.core.transactions import commit_or_flash
from app.extensions import db
from app.mailing.addresses import addresses_to_fix
from app.models import Campaign, Group, Unit

from . import actions, downloads
from .cells import count_cells
from .charts import day_chart, rate_chart
from .drilldown import STATE_LABELS, drill_down, unit_statuses
from .laggards import board_context
from .services import Filters, ProgressError, campaign_progress, parse_filters, shown_for, visible_unit_ids
from .status import outbox_status, runner_status

bp = Blueprint("progress", __name__, url_prefix="/progress", template_folder="templates")
bp.add_app_template_global(count_cells, "count_cells")
WATCHERS = ("admin", "coordinator", "focal")


def _filters() -> tuple[Filters, str | None]:
    """Parsed filters, or no filters and the message saying which parameter was wrong."""
    try:
        return parse_filters(request.args), None
    except ProgressError as exc:
        return Filters(), str(exc)


@bp.route("/campaigns/<int:campaign_id>")
@allow(*WATCHERS)
def dashboard(campaign_id: int):
    """Coordinators see every unit; a focal user lands here on its own units only."""
    campaign = campaign_or_404(campaign_id)
    filters, error = _filters()
    progress = campaign_progress(campaign, visible_unit_ids(campaign, current_user), filters, shown_for(current_user))
    today = clock.today(campaign)
    page = render_template(
        "progress/dashboard.html", campaign=campaign, progress=progress, filters=filters, error=error,
        args=request.args, runner=runner_status(), outbox=_outbox(campaign),
        day_chart=day_chart(progress.per_day, campaign.answers_by, today), rate_chart=rate_chart(progress.units),
        focal=current_user.role == "focal", today=today, sort_url=_sort_url(campaign), unit_url=_unit_url(campaign),
        kind_names={kind: label(kind, "unit_kind") for kind in progress.kinds},
        board=None if current_user.role == "focal" else _board(campaign, progress))
    return page, 400 if error else 200


def _board(campaign: Campaign, progress) -> dict:
    """The coordinator's panel of units behind; `?laggards=all` lists every unit in it."""
    board = board_context(campaign, progress, request.args.get("laggards") == "all")
    args = {**request.args.to_dict(), "laggards": "all"}
    board["all_url"] = url_for("progress.dashboard", campaign_id=campaign.id, **args) + "#lag-h"
    return board


def _unit_url(campaign: Campaign):
    """Link to a unit's page, for a table of every unit: the route is built once and the code quoted
    as the URL map quotes it (a `url_for` per row is a tenth of the dashboard's time at 1 000 units)."""
    prefix = url_for("progress.unit", campaign_id=campaign.id, unit_code="-")[:-1]

    def unit_url(code: str) -> str:
        return prefix + quote(str(code), safe=UNIT_CODE_SAFE)
    return unit_url


#: What werkzeug's string converter leaves unquoted in a path segment (routing/converters.py).
UNIT_CODE_SAFE = "!$&'()*+,/:;=@"


def _sort_url(campaign: Campaign):
    """Link that sorts by `key`, or reverses the order when already sorted by it."""
    def sort_url(key: str) -> str:
        args = request.args.to_dict()
        args["sort"] = f"-{key}" if args.get("sort", "code") == key else key
        return url_for("progress.dashboard", campaign_id=campaign.id, **args)
    return sort_url


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>")
@allow(*WATCHERS)
def unit(campaign_id: int, unit_code: str):
    campaign = campaign_or_404(campaign_id)
    unit = unit_or_404(campaign, unit_code)
    filters, error = _filters()
    progress = campaign_progress(campaign, [unit.id], shown=shown_for(current_user))
    today = clock.today(campaign)
    # The assessed unit sees counts and the addresses on its own list to fix, never who answered.
    staff = current_user.role in STAFF_ROLES
    listing = drill_down(unit_statuses(campaign, unit, filters.group_id), request.args) if staff else None
    return render_template("progress/unit.html", campaign=campaign, unit=unit, error=error, staff=staff,
                           shown=progress.shown, rows=listing.page.items if staff else [], listing=listing,
                           state_labels=STATE_LABELS, args=request.args.to_dict(), taken_at=progress.taken_at,
                           fixes=[] if staff else addresses_to_fix(campaign, [unit.id]),
                           row=progress.units[0] if progress.units else None, groups=progress.groups,
                           deadline_passed=today > campaign.answers_by, today=today,
                           runner=runner_status(), outbox=_outbox(campaign)), 400 if error else 200


def _back(campaign: Campaign, unit: Unit | None):
    target = safe_next(request.form.get("next"))
    if target:
        return redirect(target)
    if unit is not None:
        return redirect(url_for("progress.unit", campaign_id=campaign.id, unit_code=unit.code))
    return redirect(url_for("progress.dashboard", campaign_id=campaign.id))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/remind", methods=["POST"])
@allow(*WATCHERS)
def remind(campaign_id: int, unit_code: str):
    campaign = campaign_or_404(campaign_id)
    unit = unit_or_404(campaign, unit_code)
    group = None
    raw_group = (request.form.get("group") or "").strip()
    if raw_group:
        group = db.session.get(Group, int(raw_group)) if raw_group.isdigit() else None
        if group is None or group.campaign_id != campaign.id:
            flash(_("Nhóm đối tượng '%(value)s' không có trong kỳ đánh giá này.", value=raw_group), "error")
            return _back(campaign, unit)
    # The assessed unit is not told how many were reminded: for a small group, that number says who
    # has not answered yet (app/progress/folding.py).
    commit_or_flash(lambda: actions.remind(campaign, unit, group, current_user), ProgressError,
                    lambda n: _("Đã xếp %(n)d thư đôn đốc cho %(unit)s vào hàng đợi gửi.", n=n, unit=unit.name)
                    if current_user.role in STAFF_ROLES else
                    _("Đã gửi yêu cầu đôn đốc cho %(unit)s: thư nhắc sẽ đi tới những người chưa trả lời.",
                      unit=unit.name),
                    refused=lambda exc: _("Không gửi được đôn đốc cho %(unit)s: %(reason)s", unit=unit.name,
                                          reason=str(exc)))
    return _back(campaign, unit)


@bp.route("/campaigns/<int:campaign_id>/export.<fmt>")
@allow(*WATCHERS)
def export(campaign_id: int, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    campaign = campaign_or_404(campaign_id)
    filters, error = _filters()
    if error:
        flash(error, "error")
        return redirect(url_for("progress.dashboard", campaign_id=campaign.id))
    progress = campaign_progress(campaign, visible_unit_ids(campaign, current_user), filters, shown_for(current_user))
    stamp = progress.taken_at.strftime("%Y%m%d-%H%M%S")
    name = f"tien-do-{campaign.id}-{stamp}.{fmt}"
    if fmt == "csv":
        body, mime = downloads.to_csv(progress), "text/csv; charset=utf-8"
    else:
        body, mime = downloads.to_xlsx(progress), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mime, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/campaigns/<int:campaign_id>/api")
@allow(*WATCHERS)
def api(campaign_id: int):
    """The dashboard's figures as JSON (session auth, same role rules); ?unit=CODE or ?unit_id=N."""
    campaign = campaign_or_404(campaign_id)
    filters, error = _filters()
    if error:
        return jsonify({"error": error}), 400
    unit_ids = visible_unit_ids(campaign, current_user)
    code, raw_id = request.args.get("unit"), request.args.get("unit_id")
    if code or raw_id:
        if raw_id and not raw_id.isdigit():
            return jsonify({"error": _("Mã số đơn vị '%(value)s' không phải là số.", value=raw_id)}), 400
        q = db.select(Unit).where(Unit.campaign_id == campaign.id)
        unit = db.session.scalar(q.where(Unit.code == code) if code else q.where(Unit.id == int(raw_id)))
        if unit is None:
            return jsonify({"error": _("Không có đơn vị này trong kỳ đánh giá.")}), 404
        require_unit(unit.code)
        unit_ids = [unit.id]
    payload = campaign_progress(campaign, unit_ids, filters, shown_for(current_user)).as_dict()
    if current_user.role in STAFF_ROLES:
        payload["runner"], payload["outbox"] = runner_status(), _outbox(campaign)
    return jsonify(payload)


def _outbox(campaign: Campaign) -> dict | None:
    """The campaign's mail queue, for staff only. The assessed unit would read, in the queue's count
    before and after its own "remind" click, how many of a small group have not answered."""
    return outbox_status(campaign.id) if current_user.role in STAFF_ROLES else None


@bp.route("/campaigns/<int:campaign_id>/api/outbox")
@allow(*STAFF_ROLES)
def api_outbox(campaign_id: int):
    """Light endpoint polled by progress.js for the live progress bar (staff: see _outbox)."""
    campaign = campaign_or_404(campaign_id)
    return jsonify({"runner": runner_status(), "outbox": outbox_status(campaign.id)})


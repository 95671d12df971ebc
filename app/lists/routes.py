"""Respondent lists: template, upload, validation, submit and approve (issue: lists)."""
from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice
from sqlalchemy import func, select

from app.core.confirm import confirm_page, confirmed
from app.core.lookups import campaign_or_404, unit_or_404
from app.core.policy import allow
from app.core.transactions import commit_or_flash
from app.extensions import db
from app.models import Group, Respondent, RespondentTarget, Unit

from . import people as roster
from . import downloads, services
from .forms import EnumeratorForm, PersonForm, ReturnForm, SampleForm, SubmitForm, UploadForm
from .importer import import_list
from .state import EDITABLE, ListError, approve, deadline_passed, get_list, quota_status, return_list, state_label, submit

bp = Blueprint("lists", __name__, url_prefix="/lists", template_folder="templates")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_ROWS = 500


@bp.app_template_filter("list_state")
def _state_filter(state):
    return state_label(state)


def unit_view(view):
    """A page of one unit's list: the campaign and the unit named by the URL are looked up once
    (404; 403 outside the account's units) and passed to the view instead of their keys."""
    @wraps(view)
    def with_unit(campaign_id: int, unit_code: str, **kwargs):
        campaign = campaign_or_404(campaign_id)
        return view(campaign, unit_or_404(campaign, unit_code), **kwargs)
    return with_unit


def _back(campaign, unit):
    return redirect(url_for("lists.unit_list", campaign_id=campaign.id, unit_code=unit.code))


def _xlsx(data: bytes, name: str):
    return data, 200, {"Content-Type": XLSX, "Content-Disposition": f'attachment; filename="{name}"'}


@bp.route("/campaigns/<int:campaign_id>")
@allow("admin", "coordinator", "focal")
def index(campaign_id: int):
    campaign = campaign_or_404(campaign_id)
    rows = services.overview(campaign, current_user)
    if current_user.role == "focal" and len(rows) == 1:
        return _back(campaign, rows[0]["unit"])
    return render_template("lists/index.html", campaign=campaign, rows=rows, deadline_passed=deadline_passed(campaign))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>")
@allow("admin", "coordinator", "focal")
@unit_view
def unit_list(campaign, unit):
    rlist = get_list(campaign, unit, create=False)
    total = db.session.scalar(select(func.count(Respondent.id)).where(Respondent.unit_id == unit.id))
    query = request.args.get("q", "")[:200]
    people, matching, pages = roster.page(unit, query, request.args.get("page", 1, type=int) or 1)
    codes = dict(db.session.execute(select(Unit.id, Unit.code).where(Unit.campaign_id == campaign.id)).all())
    targets: dict = {}
    for rid, uid in db.session.execute(select(RespondentTarget.respondent_id, RespondentTarget.unit_id)
                                       .where(RespondentTarget.respondent_id.in_([p.id for p in people]))):
        targets.setdefault(rid, []).append(codes[uid])
    groups = db.session.scalars(select(Group).where(Group.campaign_id == campaign.id).order_by(Group.priority)).all()
    sample = SampleForm(prefix="s")
    sample.group.choices = [SelectChoice(g.code, f"{g.code} — {g.name}") for g in groups]
    enumerators = services.unit_enumerators(unit)
    enum_form = EnumeratorForm(prefix="e")
    enum_form.enumerator.choices = [SelectChoice(0, _("(không giao)"))] + [SelectChoice(u.id, u.email) for u in enumerators]
    can_edit = current_user.role in ("admin", "focal") and rlist.state in EDITABLE and not deadline_passed(campaign)
    return render_template("lists/unit.html", campaign=campaign, unit=unit, rlist=rlist, total=total, people=people,
                           targets=targets, groups={g.id: g for g in groups}, quotas=quota_status(campaign, unit),
                           report=rlist.last_upload or {}, upload=UploadForm(prefix="u"), submit_form=SubmitForm(prefix="c"),
                           return_form=ReturnForm(prefix="r"), sample=sample, enum_form=enum_form,
                           enumerators=enumerators, can_edit=can_edit, deadline_passed=deadline_passed(campaign),
                           shown=SHOWN_ROWS, query=query, matching=matching, pages=pages,
                           page=request.args.get("page", 1, type=int) or 1)


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/template.xlsx")
@allow("admin", "coordinator", "focal")
@unit_view
def template(campaign, unit):
    return _xlsx(downloads.template_workbook(campaign, unit), f"danh_sach_{unit.code}.xlsx")


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/errors.xlsx")
@allow("admin", "coordinator", "focal")
@unit_view
def errors(campaign, unit):
    rlist = get_list(campaign, unit, create=False)
    return _xlsx(downloads.error_workbook(campaign, unit, rlist.last_upload or {}), f"loi_danh_sach_{unit.code}.xlsx")


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/export.xlsx")
@allow("admin", "coordinator", "focal")
@unit_view
def export(campaign, unit):
    rlist = get_list(campaign, unit, create=False)
    return _xlsx(downloads.list_workbook(campaign, unit, rlist), f"danh_sach_{unit.code}_da_nhap.xlsx")


def _people(unit, group=None) -> int:
    """How many people the unit's list holds (in one group), for the confirmations."""
    where = [Respondent.unit_id == unit.id] + ([Respondent.group_id == group.id] if group is not None else [])
    return db.session.scalar(select(func.count(Respondent.id)).where(*where)) or 0


def _act(campaign, unit, action, success):
    """Run one service call, commit once; a refusal is flashed and nothing is kept."""
    commit_or_flash(action, ListError, success)
    return _back(campaign, unit)


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/upload", methods=["POST"])
@allow("admin", "focal")
@unit_view
def upload(campaign, unit):
    form = UploadForm(prefix="u")
    if not form.validate_on_submit():
        flash(_("Hãy chọn tệp danh sách để tải lên."), "error")
        return _back(campaign, unit)
    have = _people(unit)
    if form.mode.data == "replace" and have and request.form.get("u-replace_ok") != str(have):
        flash(_("Tải lên theo cách thay thế sẽ xoá %(n)d người đang có trong danh sách: hãy đánh dấu ô xác nhận.",
                n=have), "error")
        return _back(campaign, unit)
    f = form.file.data
    return _act(campaign, unit, lambda: import_list(campaign, unit, f.filename or "", f.read(), form.mode.data,
                                                    actor=current_user),
                _upload_message)


def _upload_message(r: dict) -> tuple[str, str]:
    """A partial failure is a warning, never a green success."""
    text = _("Đã đọc %(read)d dòng: nhập %(ok)d người, %(dup)d dòng trùng, %(err)d dòng lỗi.",
             read=r["rows_read"], ok=r["imported"], dup=len(r["duplicates"]), err=len(r["errors"]))
    if r.get("fixing"):
        text += " " + _("Tệp sửa lỗi được bổ sung vào danh sách (không thay thế).")
    if r["errors"]:
        return text + " " + _("Hãy tải tệp lỗi, sửa các dòng đó rồi tải lên lại."), "warning"
    if r.get("warnings"):
        return text + " " + _("Có %(n)d cảnh báo cần kiểm tra.", n=len(r["warnings"])), "warning"
    return text, "success"


def _person(unit, respondent_id: int):
    return roster.get_person(unit, respondent_id) or abort(404)


def _person_form(campaign, person=None) -> PersonForm:
    groups = db.session.scalars(select(Group).where(Group.campaign_id == campaign.id).order_by(Group.priority)).all()
    form = PersonForm(prefix="p", obj=person)
    form.group.choices = [SelectChoice(g.code, f"{g.code} — {g.name}") for g in groups]
    return form


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/people/<int:respondent_id>", methods=["GET", "POST"])
@allow("admin", "focal")
@unit_view
def edit_person(campaign, unit, respondent_id: int):
    person = _person(unit, respondent_id)
    form = _person_form(campaign, person)
    if request.method == "GET":
        form.group.data = person.group.code
        codes = db.session.scalars(select(Unit.code).join(RespondentTarget, RespondentTarget.unit_id == Unit.id)
                                   .where(RespondentTarget.respondent_id == person.id)).all()
        form.targets.data = "; ".join(sorted(c for c in codes if c != unit.code))
    elif form.validate_on_submit():
        done, _edited = commit_or_flash(lambda: roster.edit_person(campaign, unit, person, form.data, actor=current_user),
                                        ListError, lambda _r: _("Đã sửa dòng của %(name)s.", name=person.full_name))
        if done:
            return _back(campaign, unit)
        person = _person(unit, respondent_id)
    return render_template("lists/person.html", campaign=campaign, unit=unit, person=person, form=form)


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/people/<int:respondent_id>/delete", methods=["POST"])
@allow("admin", "focal")
@unit_view
def delete_person(campaign, unit, respondent_id: int):
    person = _person(unit, respondent_id)
    if not SubmitForm(prefix="d").validate_on_submit():
        abort(400)
    name = person.full_name
    return _act(campaign, unit, lambda: roster.delete_person(campaign, unit, person, actor=current_user),
                _("Đã xoá %(name)s khỏi danh sách.", name=name))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/submit", methods=["POST"])
@allow("admin", "focal")
@unit_view
def submit_list(campaign, unit):
    form = SubmitForm(prefix="c")
    if not form.validate_on_submit():
        abort(400)
    return _act(campaign, unit, lambda: submit(campaign, unit, current_user, form.explanation.data),
                _("Đã gửi danh sách. Danh sách được khoá trong khi chờ Tổ thư ký duyệt."))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/approve", methods=["POST"])
@allow("admin")
@unit_view
def approve_list(campaign, unit):
    if not SubmitForm(prefix="a").validate_on_submit():
        abort(400)
    return _act(campaign, unit, lambda: approve(campaign, unit, current_user), _("Đã duyệt danh sách."))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/return", methods=["POST"])
@allow("admin")
@unit_view
def return_(campaign, unit):
    form = ReturnForm(prefix="r")
    if not form.validate_on_submit():
        flash(_("Hãy ghi lý do trả lại danh sách."), "error")
        return _back(campaign, unit)
    return _act(campaign, unit, lambda: return_list(campaign, unit, form.reason.data, current_user),
                _("Đã trả lại danh sách cho đơn vị."))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/sample", methods=["POST"])
@allow("admin", "focal")
@unit_view
def sample(campaign, unit):
    form = SampleForm(prefix="s")
    groups = {g.code: g for g in db.session.scalars(select(Group).where(Group.campaign_id == campaign.id))}
    form.group.choices = [SelectChoice(code, code) for code in groups]
    if not form.validate_on_submit():
        flash(_("Hãy chọn nhóm và cỡ mẫu hợp lệ."), "error")
        return _back(campaign, unit)
    if not confirmed():
        have = _people(unit, groups[form.group.data])
        gone = max(0, have - form.size.data)
        return confirm_page(_("Rút mẫu nhóm %(group)s — %(unit)s", group=form.group.data, unit=unit.name),
                            [_("Giữ %(n)d trong %(have)d người của nhóm %(group)s.", n=min(have, form.size.data),
                               have=have, group=form.group.data),
                             _("%(n)d người không được chọn sẽ bị xoá khỏi danh sách và không được mời.", n=gone)],
                            _("Rút mẫu, xoá %(n)d người", n=gone), url_for("lists.unit_list", campaign_id=campaign.id,
                                                                           unit_code=unit.code))
    return _act(campaign, unit, lambda: services.draw_sample(campaign, unit, groups[form.group.data], form.size.data,
                                                             form.seed.data, actor=current_user),
                lambda r: _("Đã rút mẫu %(n)d/%(total)d người nhóm %(group)s (hạt giống %(seed)d).",
                            n=r["sample"], total=r["population"], group=r["group"], seed=r["seed"]))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/enumerator", methods=["POST"])
@allow("admin")
@unit_view
def enumerator(campaign, unit):
    form = EnumeratorForm(prefix="e")
    form.enumerator.choices = [SelectChoice(0, "")] + [SelectChoice(u.id, u.email) for u in services.unit_enumerators(unit)]
    if not form.validate_on_submit():
        flash(_("Hãy chọn điều tra viên của đơn vị."), "error")
        return _back(campaign, unit)
    return _act(campaign, unit, lambda: services.assign_enumerator(campaign, unit, form.enumerator.data or None,
                                                                   actor=current_user),
                lambda n: _("Đã giao %(n)d người không có thư điện tử cho điều tra viên.", n=n))


@bp.route("/campaigns/<int:campaign_id>/units/<unit_code>/clear", methods=["POST"])
@allow("admin", "focal")
@unit_view
def clear(campaign, unit):
    if not SubmitForm(prefix="x").validate_on_submit():
        abort(400)
    if not confirmed():
        have = _people(unit)
        return confirm_page(_("Xoá danh sách — %(unit)s", unit=unit.name),
                            [_("%(n)d người sẽ bị xoá khỏi danh sách của đơn vị.", n=have),
                             _("Đơn vị phải tải danh sách lên lại trước khi gửi.")],
                            _("Xoá %(n)d người", n=have), url_for("lists.unit_list", campaign_id=campaign.id,
                                                                  unit_code=unit.code))
    return _act(campaign, unit, lambda: services.clear_list(campaign, unit, actor=current_user),
                lambda n: _("Đã xoá %(n)d người khỏi danh sách.", n=n))

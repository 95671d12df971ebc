"""Secretariat set-up: campaigns from a scheme, assessed units, deadlines."""
from datetime import date, timedelta

from flask_babel import gettext as _

from app.core import audit, clock
from app.core.schemes import SchemeNotFound, get_scheme
from app.core.tabular import TableError, forbidden_message, printable, read_table
from app.extensions import db
from app.models import Campaign, Group, Unit


class SetupError(ValueError):
    """A bad set-up request; the message is shown to the user as is."""


def create_campaign(scheme_code: str, year: int, name: str, lists_by: date | None = None,
                    answers_by: date | None = None, assessments_by: date | None = None, actor=None) -> Campaign:
    """Create a campaign; its groups and quotas are copied from the scheme."""
    try:
        scheme = get_scheme(scheme_code)
    except SchemeNotFound:
        raise SetupError(_("Không có bộ chỉ số với mã '%(code)s'.", code=scheme_code)) from None
    name = (name or "").strip()
    if not name:
        raise SetupError(_("Tên kỳ đánh giá không được để trống."))
    if not 2000 <= int(year) <= 2100:
        raise SetupError(_("Năm %(year)s không hợp lệ.", year=year))
    today = clock.today()
    lists_by = lists_by or today + timedelta(days=21)
    answers_by = answers_by or lists_by + timedelta(days=30)
    assessments_by = assessments_by or answers_by + timedelta(days=15)
    check_deadlines(lists_by, answers_by, assessments_by)
    campaign = Campaign(scheme_code=scheme.code, scheme_digest=scheme.digest, year=int(year), name=name,
                        lists_by=lists_by, answers_by=answers_by, assessments_by=assessments_by,
                        mail_templates={}, contact_text="")
    db.session.add(campaign)
    db.session.flush()
    for g in scheme.groups:
        by_kind = {kind: list(bounds) for kind, bounds in (g.quota_by_kind or {}).items()}
        db.session.add(Group(campaign_id=campaign.id, code=g.code, name=g.name, priority=g.priority,
                             questionnaire_code=g.questionnaire, weight=g.weight, requires_email=g.requires_email,
                             quota_min=g.quota_min, quota_max=g.quota_max, quota_by_kind=by_kind))
    db.session.flush()
    audit.record("campaign.create", actor, campaign.id, target=name, scheme=scheme.code, year=int(year))
    return campaign


def check_deadlines(lists_by: date, answers_by: date, assessments_by: date) -> None:
    if not lists_by <= answers_by <= assessments_by:
        raise SetupError(_("Các hạn phải theo thứ tự: gửi danh sách ≤ trả lời phiếu ≤ khoá tự đánh giá."))


def update_deadlines(campaign: Campaign, lists_by: date, answers_by: date, assessments_by: date, actor=None) -> None:
    check_deadlines(lists_by, answers_by, assessments_by)
    before = {"lists_by": campaign.lists_by, "answers_by": campaign.answers_by, "assessments_by": campaign.assessments_by}
    campaign.lists_by, campaign.answers_by, campaign.assessments_by = lists_by, answers_by, assessments_by
    audit.record("campaign.deadlines", actor, campaign.id, target=campaign.name,
                 before={k: str(v) for k, v in before.items()},
                 after={"lists_by": str(lists_by), "answers_by": str(answers_by), "assessments_by": str(assessments_by)})


def set_min_cell_sheets(campaign: Campaign, k: int, actor=None) -> None:
    """k of the small-cell rule: no published figure rests on fewer answer sheets (audited)."""
    if not 1 <= int(k) <= 100:
        raise SetupError(_("Số phiếu tối thiểu phải từ 1 đến 100."))
    if campaign.min_cell_sheets != int(k):
        audit.record("campaign.min_cell_sheets", actor, campaign.id, target=campaign.name,
                     before=campaign.min_cell_sheets, after=int(k))
        campaign.min_cell_sheets = int(k)


UNIT_COLUMNS = {
    "code": ("code", "mã đơn vị", "ma don vi", "mã"),
    "name": ("name", "tên đơn vị", "ten don vi", "tên"),
    "kind": ("kind", "loại", "loai", "loại đơn vị"),
}


def import_units(campaign: Campaign, filename: str, data: bytes, actor=None) -> dict:
    """Load assessed units from Excel/CSV; all rows or none (a bad row stops the import)."""
    try:
        table = read_table(filename, data, UNIT_COLUMNS)
    except TableError as exc:
        raise SetupError(str(exc)) from None
    existing = set(db.session.scalars(db.select(Unit.code).where(Unit.campaign_id == campaign.id)))
    seen: dict[str, int] = {}
    errors = []
    rows = []
    for row in table.rows:
        code, name, kind = row.values["code"], row.values["name"], row.values["kind"]
        if row.bad_columns:
            errors.append({"row": row.number, "error": forbidden_message(", ".join(
                UNIT_COLUMNS[c][1] for c in row.bad_columns))})
        elif not code or not name or not kind:
            errors.append({"row": row.number, "error": _("Thiếu mã, tên hoặc loại đơn vị.")})
        elif code in seen:
            errors.append({"row": row.number, "error": _("Mã đơn vị '%(code)s' trùng với dòng %(other)d.", code=code, other=seen[code])})
        elif code in existing:
            errors.append({"row": row.number, "error": _("Mã đơn vị '%(code)s' đã có trong kỳ đánh giá.", code=code)})
        else:
            seen[code] = row.number
            rows.append((code, name, kind))
    if errors:
        raise SetupError("; ".join(_("dòng %(row)d: %(error)s", row=e["row"], error=e["error"]) for e in errors[:20]))
    if not rows:
        raise SetupError(_("Tệp không có dòng dữ liệu nào."))
    for code, name, kind in rows:
        db.session.add(Unit(campaign_id=campaign.id, code=code, name=name, kind=kind))
    db.session.flush()
    audit.record("units.import", actor, campaign.id, target=printable(filename), count=len(rows))
    return {"imported": len(rows)}


def add_unit(campaign: Campaign, code: str, name: str, kind: str, actor=None) -> Unit:
    code, name, kind = (code or "").strip(), (name or "").strip(), (kind or "").strip()
    if not code or not name or not kind:
        raise SetupError(_("Thiếu mã, tên hoặc loại đơn vị."))
    if db.session.scalar(db.select(Unit.id).where(Unit.campaign_id == campaign.id, Unit.code == code)):
        raise SetupError(_("Mã đơn vị '%(code)s' đã có trong kỳ đánh giá.", code=code))
    unit = Unit(campaign_id=campaign.id, code=code, name=name, kind=kind)
    db.session.add(unit)
    db.session.flush()
    audit.record("unit.create", actor, campaign.id, target=code)
    return unit

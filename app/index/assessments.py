"""Self-assessment and appraisal scores (tự đánh giá, thẩm định): template and import.

Who may do what: the secretariat (admin, and the CLI) imports both columns for every unit
at any time; a focal unit imports only its own units' self scores, notes and "not
applicable" marks, and only until the campaign's self-assessment deadline.
An import is all or nothing: any bad row refuses the whole file, listing every bad row.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from xlsxwriter.utility import xl_col_to_name

from app.core import audit, clock
from app.core.spreadsheet import XlsxBook
from app.core.schemes import get_scheme
from app.core.tabular import TableError, forbidden_message, printable, read_table
from app.extensions import db
from app.models import AssessmentImport, Campaign, SelfAssessment, Unit, utcnow

COLUMNS = {
    "unit": ("unit", "Mã đơn vị", "ma don vi", "đơn vị"),
    "unit_name": ("unit_name", "Tên đơn vị"),
    "criterion": ("criterion", "Mã tiêu chí", "mã tiêu chí thành phần", "tiêu chí"),
    "criterion_name": ("criterion_name", "Tên tiêu chí"),
    "max": ("max", "Điểm tối đa"),
    "self_score": ("self_score", "Điểm tự đánh giá", "điểm tự chấm"),
    "appraised_score": ("appraised_score", "Điểm thẩm định"),
    "appraiser": ("appraiser", "Cơ quan thẩm định"),
    "not_applicable": ("not_applicable", "Không áp dụng", "KAD"),
    "note": ("note", "Ghi chú / tài liệu kiểm chứng", "ghi chú", "tài liệu kiểm chứng"),
}
REQUIRED = ["unit", "criterion", "self_score"]
#: Headers of the template, in the user's language (also accepted on import).
HEADERS = {
    "unit": _l("Mã đơn vị"), "unit_name": _l("Tên đơn vị"), "criterion": _l("Mã tiêu chí"),
    "criterion_name": _l("Tên tiêu chí"), "max": _l("Điểm tối đa"), "self_score": _l("Điểm tự đánh giá"),
    "appraised_score": _l("Điểm thẩm định"), "appraiser": _l("Cơ quan thẩm định"),
    "not_applicable": _l("Không áp dụng"), "note": _l("Ghi chú / tài liệu kiểm chứng"),
}
NA_YES = {"x", "kad", "không áp dụng", "khong ap dung", "có", "co", "1", "true", "yes"}
NA_NO = {"", "0", "không", "khong", "false", "no"}


class AssessmentError(ValueError):
    """The import is refused; ``errors`` lists the bad rows ({row, message})."""

    def __init__(self, message: str, errors: list[dict] | None = None):
        self.errors = list(errors or [])
        super().__init__(message)


@dataclass(frozen=True)
class Permission:
    """What the acting account may import: which units, and whether appraised scores."""

    units: frozenset | None  #: None = every unit of the campaign
    may_appraise: bool


def permission(campaign: Campaign, actor, today: date | None = None) -> Permission:
    """The import rights of ``actor`` (None = the CLI, acting as the secretariat)."""
    if actor is None or actor.role == "admin":
        return Permission(None, True)
    if actor.role != "focal":
        raise AssessmentError(_("Tài khoản này không được nhập điểm tự đánh giá."))
    if clock.passed(campaign.assessments_by, campaign, today):
        raise AssessmentError(_("Đã quá hạn tự đánh giá (%(date)s): đơn vị không thể thay đổi điểm tự đánh giá nữa.",
                                date=campaign.assessments_by.strftime("%d/%m/%Y")))
    return Permission(frozenset(actor.unit_codes), False)


def visible_units(campaign: Campaign, actor) -> list[Unit]:
    units = db.session.scalars(db.select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.code)).all()
    if actor is None or actor.role in ("admin", "coordinator"):
        return list(units)
    return [u for u in units if actor.can_see_unit(u.code)]


def template_headers(may_appraise: bool) -> list[str]:
    keys = ["unit", "unit_name", "criterion", "criterion_name", "max", "self_score"]
    if may_appraise:
        keys += ["appraised_score", "appraiser"]
    return [str(HEADERS[k]) for k in keys + ["not_applicable", "note"]]


def build_template(campaign: Campaign, actor=None) -> bytes:
    """The workbook to fill: one row per unit and assessed sub-criterion, with current values."""
    scheme = get_scheme(campaign.scheme_code)
    leaves = [lf for lf in scheme.leaves() if lf.source == "assessed"]
    units = visible_units(campaign, actor)
    may_appraise = actor is None or actor.role == "admin"
    existing = {(a.unit_id, a.criterion_code): a for a in db.session.scalars(
        db.select(SelfAssessment).where(SelfAssessment.campaign_id == campaign.id))}
    rows = []
    for unit in units:
        for lf in leaves:
            a = existing.get((unit.id, lf.code))
            row = [unit.code, unit.name, lf.code, lf.name, float(lf.max), a.self_score if a else None]
            if may_appraise:
                row += [a.appraised_score if a else None, a.appraiser if a else ""]
            row += ["x" if a and a.not_applicable else "", a.note if a else ""]
            rows.append(row)
    book = XlsxBook()
    ws = book.sheet(_("Tự đánh giá"))
    headers = template_headers(may_appraise)
    scores = range(4, 7 if may_appraise else 6)  # maximum and scores: typed as numbers, shown with two decimals
    book.table(ws, headers, rows, formats={c: "float" for c in scores},
               widths={1: 30, 3: 60, len(headers) - 1: 40})
    for col in scores:
        book.column_format(ws, col, "float")
    _validations(ws, headers, len(rows))
    guide = book.sheet(_("Hướng dẫn"), grid=False)
    lines = [
        _("Nhập điểm vào cột “Điểm tự đánh giá”, từ 0 đến điểm tối đa của tiêu chí; có thể dùng dấu phẩy thập phân (7,5)."),
        _("Đánh dấu “x” vào cột “Không áp dụng” nếu tiêu chí không áp dụng với đơn vị."),
        _("Không thêm, xoá hay đổi mã đơn vị, mã tiêu chí. Nhập lại tệp sẽ thay thế toàn bộ điểm của các đơn vị có trong tệp."),
        _("Kỳ đánh giá: %(name)s. Hạn tự đánh giá: %(date)s.", name=campaign.name,
          date=campaign.assessments_by.strftime("%d/%m/%Y")),
    ]
    book.widen(guide, 0, 110)
    for i, line in enumerate(lines):
        book.cell(guide, i, 0, line)
    return book.save()


def _validations(ws, headers: list[str], n_rows: int) -> None:
    """Office-suite checks while typing: each score between 0 and its row's maximum (column E),
    "Không áp dụng" from a one-item list. The import checks the same again."""
    if n_rows < 1:
        return
    max_col = xl_col_to_name(headers.index(str(HEADERS["max"])))
    for key in ("self_score", "appraised_score"):
        if str(HEADERS[key]) in headers:
            col = headers.index(str(HEADERS[key]))
            ws.data_validation(1, col, n_rows, col, {
                "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": f"=${max_col}2",
                "ignore_blank": True, "error_title": str(HEADERS[key]),
                "error_message": _("Nhập một số từ 0 đến điểm tối đa của tiêu chí (cột “Điểm tối đa”).")})
    col = headers.index(str(HEADERS["not_applicable"]))
    ws.data_validation(1, col, n_rows, col, {
        "validate": "list", "source": ["x"], "ignore_blank": True, "error_title": str(HEADERS["not_applicable"]),
        "error_message": _("Chỉ nhập “x” (không áp dụng) hoặc để trống.")})


def parse_score(raw: str):
    """'7,5' / '7.5' / '' -> 7.5 / 7.5 / None; raises ValueError on text."""
    text = (raw or "").strip().replace(" ", "")
    if not text:
        return None
    if "," in text:
        if "." in text or text.count(",") > 1:
            raise ValueError(text)
        text = text.replace(",", ".")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _fmt(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def parse_rows(campaign: Campaign, filename: str, data: bytes, perm: Permission):
    """Validate the file; return the clean rows by unit id, or raise with every bad row."""
    try:
        aliases = {k: v + (str(HEADERS[k]),) for k, v in COLUMNS.items()}
        table = read_table(filename, data, aliases, REQUIRED)
    except TableError as exc:
        raise AssessmentError(str(exc)) from None
    scheme = get_scheme(campaign.scheme_code)
    leaves = {lf.code: lf for lf in scheme.leaves()}
    units = {u.code: u for u in db.session.scalars(db.select(Unit).where(Unit.campaign_id == campaign.id))}
    errors, seen, clean, foreign = [], {}, {}, {}
    for row in table.rows:
        v = row.values
        unit, leaf = units.get(v["unit"]), leaves.get(v["criterion"])
        if unit is not None and perm.units is not None and unit.code not in perm.units:
            foreign.setdefault(unit.code, row.number)  # one error for them all, below
            continue
        problems = [forbidden_message(str(HEADERS[c])) for c in row.bad_columns]
        if not v["unit"]:
            problems.append(_("Thiếu mã đơn vị."))
        elif unit is None:
            problems.append(_("Mã đơn vị '%(code)s' không có trong kỳ đánh giá.", code=v["unit"]))
        if not v["criterion"]:
            problems.append(_("Thiếu mã tiêu chí."))
        elif leaf is None:
            problems.append(_("Mã tiêu chí '%(code)s' không có trong bộ chỉ số.", code=v["criterion"]))
        elif leaf.source != "assessed":
            problems.append(_("Tiêu chí '%(code)s' được chấm bằng điều tra XHH, không nhập điểm.", code=leaf.code))
        scores = {}
        for key in ("self_score", "appraised_score"):
            label = str(HEADERS[key])
            try:
                scores[key] = parse_score(v.get(key, ""))
            except ValueError:
                problems.append(_("%(column)s '%(value)s' không phải là số.", column=label, value=v.get(key)))
                scores[key] = None
                continue
            value = scores[key]
            if value is not None and leaf is not None and leaf.source == "assessed" and not 0 <= value <= leaf.max:
                problems.append(_("%(column)s %(value)s nằm ngoài khoảng 0 – %(max)s.", column=label,
                                  value=_fmt(value), max=_fmt(float(leaf.max))))
        if not perm.may_appraise and (scores["appraised_score"] is not None or v.get("appraiser")):
            problems.append(_("Chỉ Thường trực / Tổ thư ký được nhập điểm thẩm định."))
        na_text = (v.get("not_applicable") or "").strip().lower()
        if na_text not in NA_YES | NA_NO:
            problems.append(_("Cột “Không áp dụng” chỉ nhận “x” hoặc để trống, không nhận '%(value)s'.",
                              value=v.get("not_applicable")))
        if unit is not None and leaf is not None:
            key = (unit.code, leaf.code)
            if key in seen:
                problems.append(_("Trùng đơn vị và tiêu chí với dòng %(other)d.", other=seen[key]))
            seen.setdefault(key, row.number)
        if problems:
            errors.extend({"row": row.number, "message": m} for m in problems)
            continue
        clean.setdefault(unit.id, []).append({
            "criterion_code": leaf.code, "self_score": scores["self_score"],
            "appraised_score": scores["appraised_score"], "appraiser": (v.get("appraiser") or "")[:200],
            "note": v.get("note") or "", "not_applicable": na_text in NA_YES})
    if foreign:
        mine = ", ".join(sorted(perm.units or ()))
        message = _("Tệp có %(n)d dòng của đơn vị khác (%(codes)s), không thuộc tài khoản này (%(mine)s). "
                    "Hãy tải biểu mẫu của đơn vị mình, điền rồi nhập lại.", n=sum(1 for r in table.rows
                    if r.values["unit"] in foreign), codes=", ".join(sorted(foreign)[:10]) + ("…" if len(foreign) > 10 else ""),
                    mine=mine)
        if not clean and not errors:
            raise AssessmentError(message)
        errors.insert(0, {"row": min(foreign.values()), "message": message})
    if errors:
        raise AssessmentError(_("Tệp có %(n)d lỗi; chưa có điểm nào được ghi. Hãy sửa các dòng sau rồi nhập lại.",
                                n=len(errors)), errors)
    if not clean:
        raise AssessmentError(_("Tệp không có dòng dữ liệu nào."))
    return clean, len(table.rows)


def import_assessments(campaign: Campaign, filename: str, data: bytes, actor=None, today: date | None = None) -> dict:
    """Import a filled template; each unit in the file has its scores replaced at once.

    The secretariat's import replaces both columns; a focal unit's import replaces the
    self scores, marks and notes and keeps the appraisal already entered. The caller commits.
    """
    perm = permission(campaign, actor, today)
    by_unit, n_rows = parse_rows(campaign, filename, data, perm)
    record = AssessmentImport(campaign_id=campaign.id, user_id=getattr(actor, "id", None),
                              filename=printable(filename or "")[:255], sha256=hashlib.sha256(data).hexdigest(), rows=n_rows)
    db.session.add(record)
    db.session.flush()
    now = utcnow()
    for unit_id, rows in by_unit.items():
        kept = {}
        if not perm.may_appraise:
            kept = {a.criterion_code: (a.appraised_score, a.appraiser) for a in db.session.scalars(
                db.select(SelfAssessment).where(SelfAssessment.unit_id == unit_id))
                if a.appraised_score is not None or a.appraiser}
        db.session.execute(db.delete(SelfAssessment).where(SelfAssessment.unit_id == unit_id))
        for r in rows:
            if not perm.may_appraise:
                r["appraised_score"], r["appraiser"] = kept.pop(r["criterion_code"], (None, ""))
            if r["self_score"] is None and r["appraised_score"] is None and not r["not_applicable"] \
                    and not r["note"] and not r["appraiser"]:
                continue
            db.session.add(SelfAssessment(campaign_id=campaign.id, unit_id=unit_id, import_id=record.id,
                                          updated_at=now, **r))
        for code, (appraised, appraiser) in kept.items():  # appraisals of rows the unit left out
            db.session.add(SelfAssessment(campaign_id=campaign.id, unit_id=unit_id, criterion_code=code,
                                          appraised_score=appraised, appraiser=appraiser, import_id=record.id,
                                          updated_at=now))
    db.session.flush()
    audit.record("assessments.import", actor, campaign.id, target=record.filename, sha256=record.sha256,
                 units=len(by_unit), rows=n_rows)
    return {"import": record.id, "sha256": record.sha256, "units": len(by_unit), "rows": n_rows}


def error_lines(exc: AssessmentError) -> list[str]:
    """'dòng N: reason' lines, for the screen and the CLI."""
    return [_("dòng %(row)d: %(error)s", row=e["row"], error=e["message"]) for e in exc.errors]

"""Import of a unit's respondent list: read, validate row by row, de-duplicate, store in bulk.

Good rows are stored even when other rows are bad; every bad row is reported with its row
number, the person's name and a Vietnamese reason, and kept (values as read) for the error
workbook. Mode "replace" swaps the unit's whole list; "append" adds to it. The error workbook
coming back fixed is always added (it holds only the rejected rows), and its "Dòng gốc" column
keeps pointing at the row of the user's original file.
"""
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import audit
from app.core.bulk import gc_paused
from app.core.tabular import TableError, fold, forbidden_characters, forbidden_message, match_columns, printable, read_rows
from app.extensions import db
from app.models import Group, Respondent, RespondentTarget, Unit, utcnow

from . import normalise as norm
from . import columns as colwise
from .columns import LIMITS, TEXT_COLUMNS, Screen
from .state import ListError, check_open, get_list, remove_respondents
from .storing import store_candidates

MODES = ("replace", "append")


#: What a good row stores, in storing.RESPONDENT_COLUMNS order: a tuple, not a dict per row.
RECORD = ("full_name", "position", "organisation", "email", "phone", "address")


@dataclass(slots=True)
class Candidate:
    row: int
    record: tuple  # the RECORD values
    group: Group
    targets: set
    keys: tuple
    stored_id: int | None = None  # an existing respondent this row adds targets to

    @property
    def email(self) -> str | None:
        return self.record[3]

    @property
    def phone(self) -> str | None:
        return self.record[4]


@dataclass
class Stored:
    id: int
    unit_id: int
    group_id: int
    email: str | None
    phone: str | None
    targets: set = field(default_factory=set)


def _reason(code: str, **kw) -> str:
    reasons = {
        "name": _("Thiếu họ và tên."),
        "markup": _("Cột %(column)s chứa ký tự < hoặc > (mã HTML) — hãy xoá chúng."),
        "legacy": _("Cột %(column)s có vẻ gõ bằng bảng mã cũ TCVN3 (ABC) hoặc VNI; hãy chuyển sang Unicode (Unikey: Công cụ chuyển mã) rồi tải lên lại."),
        "too_long": _("Cột %(column)s dài quá %(n)d ký tự."),
        "group_missing": _("Thiếu nhóm đối tượng."),
        "group_unknown": _("Không có nhóm đối tượng '%(value)s'; dùng một trong: %(choices)s."),
        "email": _("Thư điện tử '%(value)s' không hợp lệ."),
        "email_required": _("Nhóm %(group)s bắt buộc có thư điện tử."),
        "phone": _("Số điện thoại '%(value)s' không phải số Việt Nam hợp lệ (ví dụ 0912 521 464)."),
        "phone_letters": _("Số điện thoại '%(value)s' có chữ cái."),
        "phone_foreign": _("Số điện thoại '%(value)s' không phải số Việt Nam (+84)."),
        "contact": _("Người không có thư điện tử phải có số điện thoại."),
        "targets": _("Không có đơn vị được đánh giá với mã: %(value)s."),
    }
    return reasons[code] % kw if kw else reasons[code]


def _columns(headers: list[str]) -> dict:
    """Canonical column -> position; a missing or renamed header is named in the error."""
    try:
        columns = match_columns(headers, norm.COLUMNS, norm.REQUIRED)
    except TableError as exc:
        unknown = _unknown_headers(headers)
        if unknown:
            raise ListError(str(exc) + " " + _("Không nhận ra cột: %(cols)s.", cols=", ".join(unknown))) from None
        raise ListError(str(exc)) from None
    unknown = _unknown_headers(headers)
    if unknown:
        raise ListError(_("Không nhận ra cột: %(cols)s. Hãy dùng đúng tiêu đề cột của biểu mẫu (không đổi tên, không thêm cột).",
                          cols=", ".join(unknown)))
    return columns


def _unknown_headers(headers: list[str]) -> list[str]:
    known = {fold(a) for names in norm.COLUMNS.values() for a in names}
    return [printable(h) for h in headers if h and fold(h) not in known]


def read_upload(filename: str, data: bytes) -> tuple[list[str], dict, list]:
    """Headers, canonical columns and raw rows (with their Excel row numbers) of a file."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 50 * 1024 * 1024
    if len(data) > limit:
        raise ListError(_("Tệp lớn %(size).1f MB, vượt giới hạn %(limit)d MB. Hãy chia nhỏ tệp.",
                          size=len(data) / 1024 / 1024, limit=limit // (1024 * 1024)))
    try:
        headers, body, _sheet = read_rows(filename, data)
        columns = _columns(headers)
        rows = _with_data(list(enumerate(body, start=2)), columns["full_name"])
    except TableError as exc:
        raise ListError(str(exc)) from None
    if not rows:
        raise ListError(_("Tệp không có dòng dữ liệu nào (chỉ có dòng tiêu đề)."))
    return headers, columns, rows


# A name cell that is empty or only whitespace, in the NUL-joined name column (\s is str.isspace).
_BLANK_NAME = re.compile(r"(?:\A|\x00)\s*(?:\x00|\Z)")


def _with_data(numbered: list, name: int) -> list:
    """The (row number, cells) pairs of the rows with data. A row with a name has data: the other
    cells are looked at only without one. When every row has a name in text (the usual file), one
    search over the joined name column says so."""
    if all(raw is not None and len(raw) > name for _n, raw in numbered):
        names = [raw[name] for _n, raw in numbered]
        if set(map(type, names)) <= {str}:
            joined = "\x00".join(names)
            if joined.count("\x00") == len(names) - 1 and not _BLANK_NAME.search(joined):
                return numbered
    return [(n, raw) for n, raw in numbered if raw is not None and (
        len(raw) > name and raw[name].__class__ is str and raw[name].strip()
        or any(c not in (None, "") and str(c).strip() for c in raw))]


def validate_row(values: dict, groups: dict, units: dict, own_unit: Unit,
                 normalised: tuple | None = None, screen: Screen = Screen()) -> tuple[dict | None, list[str]]:
    """Check one row; returns (clean values, []) or (None, reasons). `normalised` is the row's
    (name, e-mail, phone) from the column-wise normalisers (an InvalidValue for a bad value);
    None (one row edited on the web) normalises them here. `screen`: what the whole-file
    searches found (default: search everything)."""
    if normalised is None:
        normalised = (norm.name_cases([values.get("full_name", "")])[0], norm.emails([values.get("email", "")])[0],
                      norm.phones([values.get("phone", "")])[0])
    errors = []
    out = {}
    if screen.forbidden and forbidden_characters("\n".join(values.values())):  # per column only when found
        for col, value in values.items():
            if forbidden_characters(value):
                errors.append(forbidden_message(norm.COLUMNS[col][1]))
                values[col] = printable(value)
    for col in TEXT_COLUMNS:
        value = values.get(col, "")  # already NFC and trimmed (tabular.clean)
        label = norm.COLUMNS[col][1]
        if col in screen.suspect:
            if norm.MARKUP_RE.search(value):
                errors.append(_reason("markup", column=label))
            if norm.looks_legacy(value):
                errors.append(_reason("legacy", column=label))
        if len(value) > LIMITS[col]:
            errors.append(_reason("too_long", column=label, n=LIMITS[col]))
        out[col] = value
    if not out["full_name"]:
        errors.append(_reason("name"))
    out["full_name"] = normalised[0]
    raw_group = values.get("group", "")
    if raw_group in groups:  # the typed text, memoised: fold() per row is the slow part
        group = groups[raw_group]
    else:
        group = groups[raw_group] = groups.get(fold(raw_group)) if raw_group else None
    if not raw_group:
        errors.append(_reason("group_missing"))
    elif group is None:
        errors.append(_reason("group_unknown", value=raw_group,
                              choices=", ".join(sorted({g.code for g in groups.values() if g is not None}))))
    for col, result in (("email", normalised[1]), ("phone", normalised[2])):
        if isinstance(result, norm.InvalidValue):
            out[col] = None
            errors.append(_reason(result.args[0], value=values.get(col, "")))
            out[col + "_bad"] = True
        else:
            out[col] = result
    if group is not None and not out["email"] and not out.get("email_bad"):
        if group.requires_email:
            errors.append(_reason("email_required", group=group.code))
        elif not out["phone"] and not out.get("phone_bad"):
            errors.append(_reason("contact"))
    codes = norm.unit_codes(values.get("targets", ""))
    unknown = [c for c in codes if c.upper() not in units]
    if unknown:
        errors.append(_reason("targets", value=", ".join(unknown)))
    if errors:
        return None, errors
    out["group"] = group
    out["targets"] = {units[c.upper()] for c in codes} or {own_unit.id}
    return out, []


def _conflict(a_email, a_phone, b_email, b_phone, key_kind: str) -> bool:
    """Two records sharing a key are still different people when their e-mails differ
    (an office switchboard number), or, for a name match, when their phones differ."""
    if a_email and b_email and a_email != b_email:
        return True
    return key_kind == "n" and bool(a_phone and b_phone and a_phone != b_phone)


def _find(index: dict, keys: tuple, email, phone):
    """The record (Candidate or Stored: both have .email and .phone) one of the keys names."""
    for key in keys:
        if key is not None:
            other = index.get(key)
            if other is not None and not _conflict(email, phone, other.email, other.phone, key[0]):
                return other
    return None


@gc_paused()  # tens of thousands of small objects per file: no collector rescans meanwhile
def import_list(campaign, unit: Unit, filename: str, data: bytes, mode: str = "replace", actor=None) -> dict:
    """Import a file into the unit's list; returns the report (also kept on the list).

    Raises ListError (nothing written) when the list is locked, the file unreadable or the
    headers wrong. Row problems never stop the import: they are reported.
    """
    if mode not in MODES:
        raise ListError(_("Chế độ nhập không hợp lệ."))
    rlist = get_list(campaign, unit)
    check_open(campaign, rlist)
    headers, columns, rows = read_upload(filename, data)
    fixing = "origin" in columns  # our own error workbook, back with its rows fixed
    if fixing and mode == "replace":
        mode = "append"  # it holds only the rejected rows: replacing would drop every good one
    groups_list = db.session.scalars(select(Group).where(Group.campaign_id == campaign.id)).all()
    groups = {fold(g.name): g for g in groups_list} | {fold(g.code): g for g in groups_list}
    priority = {g.id: g.priority for g in groups_list}
    units = {code.upper(): uid for uid, code in db.session.execute(
        select(Unit.id, Unit.code).where(Unit.campaign_id == campaign.id))}
    report = {"file": printable(filename), "mode": mode, "at": utcnow().isoformat(timespec="seconds"),
              "rows_read": len(rows), "imported": 0, "merged": 0, "replaced": 0, "duplicates": [], "errors": [],
              "warnings": [], "bad_rows": [], "fixing": fixing}
    fields = [(name, i) for name, i in columns.items() if name not in norm.IGNORED]
    candidates = _candidates(rows, fields, columns, groups, units, unit, report)
    # A file without one good row never wipes the stored list, even in "replace" mode.
    if mode == "replace" and candidates:
        report["replaced"] = remove_respondents(unit, reason="replace")
    stored_index = _stored_index(campaign, unit)
    if _all_new(candidates, stored_index):
        kept = candidates  # no row names a person met before: _place would keep every one
    else:
        index: dict = {}
        kept = []
        for cand in candidates:
            _place(cand, index, kept, stored_index, unit, report, priority)
    report["imported"] = store_candidates(campaign, unit, kept)
    rlist.last_upload = report
    audit.record("list.upload", actor, campaign.id, target=unit.code, file=report["file"], mode=mode,
                 rows=report["rows_read"], imported=report["imported"], errors=len(report["errors"]),
                 duplicates=len(report["duplicates"]), replaced=report["replaced"])
    db.session.flush()
    return report


def _candidates(rows: list, fields: list, columns: dict, groups: dict, units: dict, unit: Unit, report: dict) -> list:
    """The good rows as Candidates, in file order; bad rows and dates in text go to the report.

    Cleaned and checked column by column (columns.py); only the rows a column check flags are
    checked row by row (validate_row), which words their reasons."""
    parsed = colwise.parse(rows, fields, _kept)
    cols, empty = parsed.columns, [""] * len(rows)
    names, emails, phones = normal = (norm.name_cases(cols.get("full_name", empty)), norm.emails(cols.get("email", empty)),
                                      norm.phones(cols.get("phone", empty)))
    found = colwise.screen(cols)
    group_of = colwise.resolve_groups(cols.get("group", empty), groups)
    flagged = colwise.flagged_rows(cols, normal, found, group_of, units)
    targets = colwise.targets_of(cols.get("targets", empty), units, unit.id)
    keys = norm.person_keys_of(emails, phones, names, cols.get("organisation", empty))
    fixing = "origin" in columns
    special = flagged.union(parsed.dated)  # rows checked one by one
    candidates = []
    for k, (number, name, position, organisation, email, phone, address, group, target, key) in enumerate(zip(
            (number for number, _raw in rows), names, cols.get("position", empty), cols.get("organisation", empty),
            emails, phones, cols.get("address", empty), group_of, targets, keys)):
        if k in special:
            raw = rows[k][1]
            values = {col: cells[k] for col, cells in cols.items()}
            origin = (_origin(_at(raw, columns["origin"])) if fixing else None) or number
            good = _checked(values, (name, email, phone), parsed.dated.get(k), origin, raw, columns,
                            groups, units, unit, found, report)
            if good is not None:
                candidates.append(Candidate(number, tuple(good[col] for col in RECORD), good["group"], good["targets"],
                                            norm.person_keys(good["email"], good["phone"], good["full_name"],
                                                             good["organisation"])))
            continue
        candidates.append(Candidate(number, (name, position, organisation, email, phone, address), group, target, key))
    return candidates


def _checked(values: dict, normal: tuple, dated: list | None, origin: int, raw, columns: dict, groups: dict,
             units: dict, unit: Unit, found: Screen, report: dict) -> dict | None:
    """One row checked row by row: its clean values, or None with its errors (and the cells
    for the error workbook) in the report; a date in a text column is warned about."""
    good, errors = validate_row(values, groups, units, unit, normal, found)
    if dated:
        report["warnings"].append({"row": origin, "name": printable(values.get("full_name", "")), "reason": _(
            "Cột %(columns)s chứa một ngày tháng (%(value)s): phần mềm bảng tính có thể đã tự đổi giá trị gõ vào "
            "(ví dụ địa chỉ “12/3”) thành ngày. Hãy kiểm tra và định dạng cột là Văn bản (Text).",
            columns=", ".join(norm.COLUMNS[n][1] for n in dated), value=", ".join(values[n] for n in dated))})
    if errors:
        reason = " ".join(errors)
        report["errors"].append({"row": origin, "name": values.get("full_name", ""), "reason": reason})
        report["bad_rows"].append({"origin": origin, "reason": reason, "cells": {
            name: _kept(_at(raw, i), name) for name, i in columns.items() if name not in ("error", "origin")}})
    return good


def _origin(value) -> int | None:
    """The "Dòng gốc" cell: a number in a workbook, digits in a CSV."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _at(raw, i):
    return raw[i] if i < len(raw) else None


def _kept(value, column: str):
    """A cell as it will be written back to the error workbook (JSON-safe): integers stay
    integers, phones and codes stay text, dates become d/m/yyyy text, hidden characters show."""
    if value is None:
        return ""
    if isinstance(value, datetime) and not (value.hour or value.minute or value.second):
        value = value.date()
    if isinstance(value, date):
        return f"{value.day}/{value.month}/{value.year}" if not isinstance(value, datetime) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return printable(str(value))
    return value if column in ("stt", "origin") else str(value)


def _all_new(candidates: list, stored_index: dict) -> bool:
    """Whether _place would keep every good row and report nothing (nearly every upload): then
    the row-by-row de-duplication is skipped. True when no e-mail or phone occurs twice in the
    file or among the stored lists, and no shared name key makes two rows one person."""
    contact = [key for cand in candidates for key in cand.keys[:2] if key is not None]
    distinct = set(contact)
    if len(distinct) != len(contact) or not distinct.isdisjoint(stored_index):
        return False
    # Namesakes are common. Two rows with one name key are one person (_conflict) only when one
    # has just an e-mail and the other just a phone: two e-mails, or two phones, differ (above).
    single: dict = {}
    for cand in candidates:
        email_key, phone_key, name_key = cand.keys
        if name_key is None:
            continue
        other = stored_index.get(name_key)
        if other is not None and not _conflict(cand.email, cand.phone, other.email, other.phone, "n"):
            return False
        if (email_key is None) != (phone_key is None):
            kind = "p" if email_key is None else "e"
            seen = single.setdefault(name_key, kind)
            if seen != kind:
                return False
    return True


def _place(cand: Candidate, index: dict, kept: list, stored_index: dict, unit: Unit, report: dict,
           priority: dict) -> None:
    """De-duplicate one good row against the file so far, then against the stored lists."""
    email, phone = cand.email, cand.phone
    other = _find(index, cand.keys, email, phone)
    if other is not None:
        if other.group.id == cand.group.id:
            new = cand.targets - other.targets
            if new:
                other.targets |= new
                report["merged"] += 1
            else:
                report["duplicates"].append({"row": cand.row, "reason": _(
                    "Trùng với dòng %(other)d: cùng một người, cùng đơn vị được đánh giá.", other=other.row)})
            return
        winner, loser = (cand, other) if cand.group.priority < other.group.priority else (other, cand)
        report["duplicates"].append({"row": loser.row, "reason": _(
            "Cùng một người với dòng %(other)d; giữ ở nhóm %(group)s (ưu tiên cao hơn), bỏ nhóm %(lost)s.",
            other=winner.row, group=winner.group.code, lost=loser.group.code)})
        if winner is cand:
            other.row, other.record, other.group, other.targets = cand.row, cand.record, cand.group, cand.targets
        for key in cand.keys:
            if key is not None:
                index.setdefault(key, other)
        return
    stored = _find(stored_index, cand.keys, email, phone) if stored_index else None
    if stored is not None:
        if stored.unit_id != unit.id:
            report["duplicates"].append({"row": cand.row, "reason": _(
                "Người này đã có trong danh sách của đơn vị khác trong kỳ đánh giá (mã đối tượng %(id)d).", id=stored.id)})
            return
        if stored.group_id == cand.group.id and cand.targets - stored.targets:
            cand.stored_id, cand.targets = stored.id, cand.targets - stored.targets
            stored.targets |= cand.targets
            report["merged"] += 1
            kept.append(cand)
            return
        if cand.group.priority < priority[stored.group_id]:
            # A delegate appended after being listed as a leader becomes a delegate.
            db.session.execute(Respondent.__table__.update().where(Respondent.id == stored.id)
                               .values(group_id=cand.group.id))
            report["duplicates"].append({"row": cand.row, "reason": _(
                "Người này đã có trong danh sách; đã chuyển sang nhóm %(group)s (ưu tiên cao hơn).", group=cand.group.code)})
            stored.group_id = cand.group.id
            return
        report["duplicates"].append({"row": cand.row, "reason": _("Người này đã có trong danh sách của đơn vị.")})
        return
    for key in cand.keys:
        if key is not None:
            index[key] = cand
    kept.append(cand)


def _stored_index(campaign, unit: Unit) -> dict:
    """Identity key -> Stored for every respondent of the campaign (after a replace's delete)."""
    index: dict = {}
    people = {}
    for rid, uid, gid, email, phone, name, org in db.session.execute(
            select(Respondent.id, Respondent.unit_id, Respondent.group_id, Respondent.email, Respondent.phone,
                   Respondent.full_name, Respondent.organisation).where(Respondent.campaign_id == campaign.id)):
        person = people[rid] = Stored(rid, uid, gid, email, phone)
        for key in norm.person_keys(email, phone, name, org):
            if key is not None:
                index.setdefault(key, person)
    if people:
        for rid, uid in db.session.execute(
                select(RespondentTarget.respondent_id, RespondentTarget.unit_id)
                .join(Respondent, Respondent.id == RespondentTarget.respondent_id)
                .where(Respondent.unit_id == unit.id)):
            people[rid].targets.add(uid)
    return index

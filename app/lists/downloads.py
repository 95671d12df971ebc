"""Workbooks of the lists feature: the template, the error workbook and the list export.

All three are written with app.core.spreadsheet.XlsxBook: what a user typed is always written as
text, so a cell like "=HYPERLINK(…)" never runs as a formula.
"""
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.spreadsheet import XlsxBook
from app.extensions import db
from app.models import Group, Respondent, RespondentTarget, Unit, User

from .state import quota_text

TEMPLATE_HEADERS = ["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm đối tượng", "Email",
                    "Số điện thoại", "Địa chỉ", "Đơn vị được đánh giá"]
WIDTHS = {"STT": 6, "Họ và tên": 28, "Chức vụ": 24, "Đơn vị công tác": 30, "Nhóm đối tượng": 18, "Email": 30,
          "Số điện thoại": 16, "Địa chỉ": 30, "Đơn vị được đánh giá": 22}
TEMPLATE_ROWS = 5000  # rows that carry the drop-down of group codes
TEXT_COLUMNS = (4, 6, 8)  # group, phone, assessed units: text, so a leading zero is kept


def _guide():
    return [
        ("STT", _("không"), _("Số thứ tự, chỉ để đối chiếu; có thể để trống.")),
        ("Họ và tên", _("có"), _("Họ và tên đầy đủ, tiếng Việt có dấu (Unicode). Chữ hoa/thường sẽ được chuẩn hoá.")),
        ("Chức vụ", _("không"), _("Chức vụ hiện tại, ví dụ: Phó Giám đốc. Người dân để trống.")),
        ("Đơn vị công tác", _("không"), _("Cơ quan, đơn vị nơi người được khảo sát làm việc.")),
        ("Nhóm đối tượng", _("có"), _("Mã nhóm, chọn trong danh sách thả xuống (xem trang Nhóm đối tượng).")),
        ("Email", _("tuỳ nhóm"), _("Thư điện tử công vụ. Bắt buộc, trừ các nhóm ghi 'không' ở cột Bắt buộc thư điện tử (người dân).")),
        ("Số điện thoại", _("tuỳ nhóm"), _("Số di động hoặc cố định Việt Nam, viết kiểu nào cũng được (0912 521 464, +84 912 521 464). Bắt buộc khi không có thư điện tử.")),
        ("Địa chỉ", _("không"), _("Địa chỉ liên hệ (cho người dân).")),
        ("Đơn vị được đánh giá", _("không"), _("Mã đơn vị mà người này đánh giá; để trống nếu đánh giá chính đơn vị mình. Nhiều đơn vị: cách nhau bởi dấu ;.")),
    ]


def _list_sheet(book: XlsxBook, groups: list, rows=(), extra: tuple = (), formats: dict | None = None):
    """The data sheet of the template (and of the error workbook, with its extra columns):
    text format on group, phone and code columns, the drop-down of group codes."""
    headers = TEMPLATE_HEADERS + list(extra)
    ws = book.sheet("Danh sách")
    widths = WIDTHS | {"Lỗi": 70, "Dòng gốc": 10}
    book.table(ws, headers, rows, widths={i: widths[h] for i, h in enumerate(headers)},
               formats={c: "code" for c in TEXT_COLUMNS} | (formats or {}))
    for col in TEXT_COLUMNS:
        book.column_format(ws, col, "code")
    if groups:
        ws.data_validation(1, 4, TEMPLATE_ROWS, 4, {
            "validate": "list", "source": f"='Nhóm đối tượng'!$A$2:$A${len(groups) + 1}", "ignore_blank": True,
            "error_title": _("Nhóm đối tượng"), "error_message": _("Chọn mã nhóm trong danh sách.")})
    return ws


def _reference_sheets(book: XlsxBook, campaign, unit: Unit, groups: list) -> None:
    """Groups with the unit's quotas (the drop-down's source) and unit codes."""
    gs = book.sheet("Nhóm đối tượng")
    book.table(gs, [_("Mã nhóm"), _("Tên nhóm"), _("Ưu tiên"), _("Chỉ tiêu của đơn vị"), _("Bắt buộc thư điện tử")],
               [[g.code, g.name, g.priority, quota_text(*g.quota_for(unit.kind)), _("có") if g.requires_email else _("không")]
                for g in groups], widths={1: 60})
    us = book.sheet("Đơn vị")
    units = db.session.scalars(select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.code)).all()
    book.table(us, [_("Mã đơn vị"), _("Tên đơn vị")], [[u.code, u.name] for u in units], widths={1: 50})


def _groups(campaign) -> list:
    return db.session.scalars(select(Group).where(Group.campaign_id == campaign.id).order_by(Group.priority)).all()


def template_workbook(campaign, unit: Unit) -> bytes:
    """The list template for one unit: data sheet, column guide, groups with quotas, unit codes."""
    groups = _groups(campaign)
    book = XlsxBook()
    _list_sheet(book, groups)
    guide = book.sheet("Hướng dẫn", grid=False)
    book.cell(guide, 0, 0, _("Danh sách đối tượng khảo sát — %(unit)s (%(code)s) — %(campaign)s",
                             unit=unit.name, code=unit.code, campaign=campaign.name), "title")
    book.cell(guide, 1, 0, _("Mỗi dòng một người. Không đổi tên, không thêm hoặc xoá cột. Lưu dưới dạng .xlsx, .ods hoặc CSV UTF-8. "
                             "Hạn gửi danh sách: %(date)s.", date=campaign.lists_by.strftime("%d/%m/%Y")), "muted")
    book.table(guide, [_("Cột"), _("Bắt buộc"), _("Hướng dẫn")], _guide(), first_row=3, widths={0: 24, 1: 12, 2: 100},
               repeat=False)
    _reference_sheets(book, campaign, unit, groups)
    return book.save()


CANONICAL = ("stt", "full_name", "position", "organisation", "group", "email", "phone", "address", "targets")


def error_workbook(campaign, unit: Unit, report: dict) -> bytes:
    """The rejected rows laid out as the template (same columns, text formats, drop-down),
    each value as it was read, then "Lỗi" (the reason, shaded) and "Dòng gốc" (the row of the
    user's original file). Fixed and uploaded again, it is added to the list."""
    rows = [[row["cells"].get(c, "") for c in CANONICAL] + [row["reason"], row["origin"]]
            for row in report.get("bad_rows") or [] if isinstance(row, dict)]
    groups = _groups(campaign)
    book = XlsxBook()
    _list_sheet(book, groups, rows, extra=("Lỗi", "Dòng gốc"), formats={len(CANONICAL): "error"})
    _reference_sheets(book, campaign, unit, groups)
    return book.save()


def list_workbook(campaign, unit: Unit, rlist) -> bytes:
    """The unit's stored list (and, when a sample was drawn, its seed and method)."""
    groups = {g.id: g.code for g in db.session.scalars(select(Group).where(Group.campaign_id == campaign.id))}
    codes = dict(db.session.execute(select(Unit.id, Unit.code).where(Unit.campaign_id == campaign.id)).all())
    targets: dict = {}
    for rid, uid in db.session.execute(select(RespondentTarget.respondent_id, RespondentTarget.unit_id)
                                       .join(Respondent).where(Respondent.unit_id == unit.id)):
        targets.setdefault(rid, []).append(codes[uid])
    enumerators = dict(db.session.execute(select(User.id, User.email).where(User.role == "enumerator")).all())
    people = db.session.scalars(select(Respondent).where(Respondent.unit_id == unit.id)
                                .order_by(Respondent.group_id, Respondent.id))
    rows = [[i, r.full_name, r.position, r.organisation, groups.get(r.group_id, ""), r.email or "", r.phone or "",
             r.address, ";".join(sorted(targets.get(r.id, []))), r.source_row, enumerators.get(r.enumerator_id, "")]
            for i, r in enumerate(people, start=1)]
    book = XlsxBook()  # print-ready (landscape, one page wide, header repeated), phones as text
    headers = TEMPLATE_HEADERS + ["Dòng trong tệp", "Điều tra viên"]
    ws = book.sheet("Danh sách", _("Danh sách đối tượng khảo sát — %(unit)s (%(code)s)", unit=unit.name, code=unit.code))
    book.table(ws, headers, rows, freeze_cols=2, widths=dict(enumerate(WIDTHS[h] for h in TEMPLATE_HEADERS)))
    if rlist is not None and rlist.sample_seed is not None:
        ss = book.sheet("Mẫu ngẫu nhiên")
        book.table(ss, [_("Mục"), _("Giá trị")], [[_("Hạt giống (seed)"), str(rlist.sample_seed)],
                                                  [_("Phương pháp và kết quả"), rlist.sample_note or ""]],
                   widths={0: 24, 1: 110})
    return book.save()

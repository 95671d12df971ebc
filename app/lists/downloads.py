"""Workbooks of the lists feature: the template, the error workbook and the list export.

Everything a user typed goes through app.core.spreadsheet (set_text / write_sheet), so a cell
like "=HYPERLINK(…)" is written as text and never runs as a formula.
"""
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from app.core.spreadsheet import HEADER_FILL, HEADER_FONT, XlsxBook, set_text, write_sheet
from app.extensions import db
from app.models import Group, Respondent, RespondentTarget, Unit, User

from .state import quota_text

TEMPLATE_HEADERS = ["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm đối tượng", "Email",
                    "Số điện thoại", "Địa chỉ", "Đơn vị được đánh giá"]
WIDTHS = {"STT": 6, "Họ và tên": 28, "Chức vụ": 24, "Đơn vị công tác": 30, "Nhóm đối tượng": 18, "Email": 30,
          "Số điện thoại": 16, "Địa chỉ": 30, "Đơn vị được đánh giá": 22}
TEMPLATE_ROWS = 5000  # rows that carry the drop-down of group codes


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


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


def _list_sheet(wb: Workbook, groups: list, rows=(), extra: tuple = ()) -> None:
    """The data sheet of the template (and of the error workbook, with its extra columns):
    text format on group, phone and code columns, the drop-down of group codes."""
    ws = wb.active
    ws.title = "Danh sách"
    write_sheet(ws, TEMPLATE_HEADERS + list(extra), rows, widths=WIDTHS | {"Lỗi": 70, "Dòng gốc": 10})
    for col in ("E", "G", "I"):  # phone numbers and codes stay text (keep the leading zero)
        for row in range(2, TEMPLATE_ROWS + 2):
            ws[f"{col}{row}"].number_format = "@"
    if groups:
        dv = DataValidation(type="list", formula1=f"='Nhóm đối tượng'!$A$2:$A${len(groups) + 1}", allow_blank=True,
                            showErrorMessage=True, errorTitle=_("Nhóm đối tượng"),
                            error=_("Chọn mã nhóm trong danh sách."))
        dv.add(f"E2:E{TEMPLATE_ROWS + 1}")
        ws.add_data_validation(dv)
    return ws


def _reference_sheets(wb: Workbook, campaign, unit: Unit, groups: list) -> None:
    """Groups with the unit's quotas (the drop-down's source) and unit codes."""
    gs = wb.create_sheet("Nhóm đối tượng")
    write_sheet(gs, [_("Mã nhóm"), _("Tên nhóm"), _("Ưu tiên"), _("Chỉ tiêu của đơn vị"), _("Bắt buộc thư điện tử")],
                [[g.code, g.name, g.priority, quota_text(*g.quota_for(unit.kind)), _("có") if g.requires_email else _("không")]
                 for g in groups], widths={_("Tên nhóm"): 60})
    us = wb.create_sheet("Đơn vị")
    units = db.session.scalars(select(Unit).where(Unit.campaign_id == campaign.id).order_by(Unit.code)).all()
    write_sheet(us, [_("Mã đơn vị"), _("Tên đơn vị")], [[u.code, u.name] for u in units], widths={_("Tên đơn vị"): 50})


def _groups(campaign) -> list:
    return db.session.scalars(select(Group).where(Group.campaign_id == campaign.id).order_by(Group.priority)).all()


def template_workbook(campaign, unit: Unit) -> bytes:
    """The list template for one unit: data sheet, column guide, groups with quotas, unit codes."""
    groups = _groups(campaign)
    wb = Workbook()
    _list_sheet(wb, groups)
    guide = wb.create_sheet("Hướng dẫn")
    set_text(guide["A1"], _("Danh sách đối tượng khảo sát — %(unit)s (%(code)s) — %(campaign)s",
                            unit=unit.name, code=unit.code, campaign=campaign.name))
    guide["A1"].font = HEADER_FONT
    set_text(guide["A2"], _("Mỗi dòng một người. Không đổi tên, không thêm hoặc xoá cột. Lưu dưới dạng .xlsx, .ods hoặc CSV UTF-8. "
                            "Hạn gửi danh sách: %(date)s.", date=campaign.lists_by.strftime("%d/%m/%Y")))
    for col, header in enumerate((_("Cột"), _("Bắt buộc"), _("Hướng dẫn")), start=1):
        cell = guide.cell(row=4, column=col)
        set_text(cell, header)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r, row in enumerate(_guide(), start=5):
        for c, value in enumerate(row, start=1):
            set_text(guide.cell(row=r, column=c), value)
    guide.column_dimensions["A"].width, guide.column_dimensions["B"].width = 24, 12
    guide.column_dimensions["C"].width = 100
    _reference_sheets(wb, campaign, unit, groups)
    return _save(wb)


ERROR_FILL = PatternFill("solid", fgColor="FCE4E4")
CANONICAL = ("stt", "full_name", "position", "organisation", "group", "email", "phone", "address", "targets")


def error_workbook(campaign, unit: Unit, report: dict) -> bytes:
    """The rejected rows laid out as the template (same columns, text formats, drop-down),
    each value as it was read, then "Lỗi" (the reason) and "Dòng gốc" (the row of the user's
    original file). Fixed and uploaded again, it is added to the list."""
    rows = [[row["cells"].get(c, "") for c in CANONICAL] + [row["reason"], row["origin"]]
            for row in report.get("bad_rows") or [] if isinstance(row, dict)]
    groups = _groups(campaign)
    wb = Workbook()
    ws = _list_sheet(wb, groups, rows, extra=("Lỗi", "Dòng gốc"))
    for r in range(2, len(rows) + 2):
        ws.cell(row=r, column=len(CANONICAL) + 1).fill = ERROR_FILL
    _reference_sheets(wb, campaign, unit, groups)
    return _save(wb)


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

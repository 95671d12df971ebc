"""The progress table as Excel and CSV (formula-safe, via app.core.export), with the time it was taken."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook

from app.core.export import write_csv, write_sheet

from .services import Counts, Progress


def headers() -> list[str]:
    return [_("Mã đơn vị"), _("Tên đơn vị"), _("Loại"), _("Nhóm đối tượng"), _("Trong danh sách"), _("Thư mời"),
            _("Đã mời"), _("Đã gửi tới"), _("Lỗi / bị trả lại"), _("Đã mở"), _("Đã trả lời"),
            _("Tỉ lệ trả lời (%)"), _("Đôn đốc đã gửi")]


def _figures(c: Counts) -> list:
    return [c.listed, c.invitations, c.invited, c.delivered, c.failed, c.opened, c.answered,
            None if c.rate is None else round(c.rate, 2), c.reminders]


def rows(progress: Progress) -> list[list]:
    """One row per unit (group column "Tất cả"), then one per group of the unit; a totals row last."""
    out = []
    for r in progress.units:
        out.append([r.unit.code, r.unit.name, r.unit.kind, _("Tất cả")] + _figures(r.counts))
        for g in r.groups:
            out.append([r.unit.code, r.unit.name, r.unit.kind, g.group.name] + _figures(g.counts))
    out.append([_("Tổng cộng"), "", "", ""] + _figures(progress.totals))
    return out


def taken_label(progress: Progress) -> str:
    return progress.taken_at.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def to_csv(progress: Progress) -> bytes:
    """CSV: two preamble lines (campaign, time taken), a blank line, then the table."""
    preamble = [[_("Kỳ đánh giá"), progress.campaign.name], [_("Số liệu lúc"), taken_label(progress)], []]
    body = write_csv(headers(), rows(progress)).decode("utf-8").lstrip("\ufeff")
    head = write_csv(preamble[0], preamble[1:]).decode("utf-8").lstrip("\ufeff")
    return ("\ufeff" + head + body).encode("utf-8")


def to_xlsx(progress: Progress) -> bytes:
    """Workbook: sheet "Tiến độ" with the table, sheet "Thông tin" with the time taken and definitions."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Tiến độ")
    write_sheet(ws, headers(), rows(progress), widths={_("Tên đơn vị"): 40, _("Nhóm đối tượng"): 40})
    info = wb.create_sheet(_("Thông tin"))
    write_sheet(info, [_("Mục"), _("Giá trị")], [
        [_("Kỳ đánh giá"), progress.campaign.name],
        [_("Số liệu lúc"), taken_label(progress)],
        [_("Hạn trả lời"), progress.campaign.answers_by.strftime("%d/%m/%Y")],
        [_("Cách tính"), _("Thư mời tính theo đơn vị được đánh giá; trong danh sách tính theo đơn vị lập danh sách; "
                           "tỉ lệ trả lời = đã trả lời / thư mời.")],
    ], widths={_("Mục"): 20, _("Giá trị"): 90})
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

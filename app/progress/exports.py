"""The progress table as Excel and CSV (formula-safe, via app.core.export), with the time it was taken."""
from __future__ import annotations

import io

from flask_babel import gettext as _
from openpyxl import Workbook

from app.core.export import write_csv, write_sheet

from .services import SHOWN, Counts, Progress


def _labels() -> dict[str, str]:
    return {"listed": _("Trong danh sách"), "invitations": _("Thư mời"), "invited": _("Đã mời"),
            "delivered": _("Đã gửi tới"), "failed": _("Lỗi / bị trả lại"), "opened": _("Đã mở"),
            "answered": _("Đã trả lời"), "rate": _("Tỉ lệ trả lời (%)"), "reminders": _("Đôn đốc đã gửi")}


def headers(shown: tuple[str, ...] = SHOWN) -> list[str]:
    labels = _labels()
    return [_("Mã đơn vị"), _("Tên đơn vị"), _("Loại"), _("Nhóm đối tượng")] + [labels[name] for name in shown]


def _figures(c: Counts, shown: tuple[str, ...]) -> list:
    return [(None if c.rate is None else round(c.rate, 2)) if name == "rate" else getattr(c, name) for name in shown]


def rows(progress: Progress) -> list[list]:
    """One row per unit (group column "Tất cả"), then one per group of the unit; a totals row last."""
    out, shown = [], progress.shown
    for r in progress.units:
        out.append([r.unit.code, r.unit.name, r.unit.kind, _("Tất cả")] + _figures(r.counts, shown))
        for g in r.groups:
            out.append([r.unit.code, r.unit.name, r.unit.kind, g.group.name] + _figures(g.counts, shown))
    out.append([_("Tổng cộng"), "", "", ""] + _figures(progress.totals, shown))
    return out


def taken_label(progress: Progress) -> str:
    return progress.taken_at.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def to_csv(progress: Progress) -> bytes:
    """CSV: two preamble lines (campaign, time taken), a blank line, then the table."""
    preamble = [[_("Kỳ đánh giá"), progress.campaign.name], [_("Số liệu lúc"), taken_label(progress)], []]
    body = write_csv(headers(progress.shown), rows(progress)).decode("utf-8").lstrip("\ufeff")
    head = write_csv(preamble[0], preamble[1:]).decode("utf-8").lstrip("\ufeff")
    return ("\ufeff" + head + body).encode("utf-8")


def to_xlsx(progress: Progress) -> bytes:
    """Workbook: sheet "Tiến độ" with the table, sheet "Thông tin" with the time taken and definitions."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Tiến độ")
    write_sheet(ws, headers(progress.shown), rows(progress), widths={_("Tên đơn vị"): 40, _("Nhóm đối tượng"): 40})
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

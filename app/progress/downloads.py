"""The progress table as Excel and CSV (formula-safe, via app.core.spreadsheet), with the time it was taken.

The workbook prints landscape, one page wide, header repeated; each unit's row ("Tất cả", bold,
shaded) stands above its groups' rows (indented); unit kinds in Vietnamese.
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.spreadsheet import XlsxBook, write_csv

from .services import SHOWN, Counts, Progress

#: Unit kinds as stored (admin forms and imports accept free codes) and their Vietnamese names.
UNIT_KIND_LABELS = {"department": _l("Sở, ban, ngành"), "district": _l("Cấp huyện"),
                    "ministry": _l("Bộ, cơ quan ngang Bộ"), "province": _l("Tỉnh, thành phố"),
                    "commune": _l("Cấp xã"), "agency": _l("Cục, Tổng cục")}
GROUP_INDENT = "    "


def kind_label(kind: str) -> str:
    return str(UNIT_KIND_LABELS.get(kind, kind))


def _labels() -> dict[str, str]:
    return {"listed": _("Trong danh sách"), "invitations": _("Thư mời"), "invited": _("Đã mời"),
            "delivered": _("Đã gửi tới"), "failed": _("Lỗi / bị trả lại"), "opened": _("Đã mở"),
            "answered": _("Đã trả lời"), "rate": _("Tỉ lệ trả lời (%)"), "reminders": _("Đôn đốc đã gửi")}


def headers(shown: tuple[str, ...] = SHOWN) -> list[str]:
    labels = _labels()
    return [_("Mã đơn vị"), _("Tên đơn vị"), _("Loại"), _("Nhóm đối tượng")] + [labels[name] for name in shown]


def _figures(c: Counts, shown: tuple[str, ...]) -> list:
    """The figures in ``shown`` order; one withheld from this reader (app/progress/folding.py) reads "ẩn"."""
    return [(None if c.rate is None else round(c.rate, 2)) if name == "rate"
            else _("ẩn") if getattr(c, name) is None else getattr(c, name) for name in shown]


def rows(progress: Progress, indent: str = "") -> list[list]:
    """One row per unit (group column "Tất cả"), then one per group of the unit; a totals row last."""
    out, shown = [], progress.shown
    for r in progress.units:
        kind = kind_label(r.unit.kind)
        out.append([r.unit.code, r.unit.name, kind, _("Tất cả")] + _figures(r.counts, shown))
        for g in r.groups:
            out.append([r.unit.code, r.unit.name, kind, indent + g.group.name] + _figures(g.counts, shown))
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
    book = XlsxBook()
    title = _("Tiến độ khảo sát — %(campaign)s — %(at)s", campaign=progress.campaign.name, at=taken_label(progress))
    ws = book.sheet(_("Tiến độ"), title)
    table = rows(progress, GROUP_INDENT)
    shown = progress.shown
    # Unit rows and the totals row stand out (bold, shaded); group rows are indented below them.
    unit_rows = {i for i, row in enumerate(table) if row[3] in (_("Tất cả"), "")}
    formats = {4 + shown.index("rate"): "float"} if "rate" in shown else {}
    book.table(ws, headers(shown), table, freeze_cols=2, bold_rows=unit_rows,
               widths={1: 30, 2: 20, 3: 46, **{c: 9 for c in range(4, 4 + len(shown))}}, formats=formats)
    info = book.sheet(_("Thông tin"))
    book.table(info, [_("Mục"), _("Giá trị")], [
        [_("Kỳ đánh giá"), progress.campaign.name],
        [_("Số liệu lúc"), taken_label(progress)],
        [_("Hạn trả lời"), progress.campaign.answers_by.strftime("%d/%m/%Y")],
        [_("Cách tính"), _("Thư mời tính theo đơn vị được đánh giá; trong danh sách tính theo đơn vị lập danh sách; "
                           "tỉ lệ trả lời = đã trả lời / thư mời.")],
    ], widths={0: 20, 1: 90})
    return book.save()

"""The published workbook and the ranking CSV.

Numbers are written as numbers (format 0.00), text through app.core.export (formula-safe),
headers in Vietnamese, header rows frozen, native Excel charts.
"""
from __future__ import annotations

import io
import math
from collections import Counter

import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from app.core.export import HEADER_FILL, HEADER_FONT, set_text, write_csv, write_sheet

FLAG_LABELS = {
    "no_score": _l("Chưa có điểm"),
    "no_survey_data": _l("Không có dữ liệu khảo sát"),
    "not_applicable": _l("Không áp dụng"),
    "not_appraised": _l("Chưa thẩm định"),
    "voided": _l("Hủy kết quả khảo sát"),
}
ACTION_LABELS = {"dismiss": _l("Bỏ qua"), "exclude": _l("Loại phiếu"), "void": _l("Hủy kết quả khảo sát"),
                 "revert": _l("Hoàn tác"), "": _l("Chưa quyết định")}


def v(x):
    """A cell value: NaN / NA become empty, numpy numbers plain Python."""
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return None
    if hasattr(x, "item"):
        x = x.item()
    return x


def vn(x, digits: int = 2) -> str:
    """A number for Vietnamese prose: 7.5 -> '7,5', 10.0 -> '10'."""
    if v(x) is None:
        return "–"
    text = f"{round(float(x), digits):.{digits}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def flag_text(flags: str) -> str:
    return "; ".join(str(FLAG_LABELS.get(f, f)) for f in str(flags or "").split(",") if f)


def _unit_notes(result) -> dict:
    """Per unit, a short note: void reason and how many sub-criteria carry each flag."""
    counts: dict = {}
    for unit, flags in zip(result.leaf_points["unit"], result.leaf_points["flags"]):
        for f in str(flags or "").split(","):
            if f:
                counts.setdefault(unit, Counter())[f] += 1
    notes = {}
    for r in result.totals.itertuples(index=False):
        parts = [_("Hủy kết quả khảo sát: %(reason)s", reason=r.void_reason or "")] if r.voided else []
        for f, n in sorted(counts.get(r.unit, Counter()).items()):
            if f != "voided":
                parts.append(_("%(flag)s: %(n)d tiêu chí", flag=FLAG_LABELS.get(f, f), n=n))
        notes[r.unit] = "; ".join(parts)
    return notes


def ranking_table(result, scheme) -> tuple[list[str], list[list]]:
    """Headers and rows of the ranking sheet (also the ranking CSV)."""
    headers = [_("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Tổng điểm"), _("Điểm tối đa áp dụng"),
               _("Chỉ số (%)"), _("Xếp hạng"), _("Xếp loại")]
    headers += [_("Lĩnh vực %(code)s", code=f.code) for f in scheme.fields]
    headers += [_("Số phiếu sử dụng"), _("Ghi chú")]
    notes = _unit_notes(result)
    rows = []
    for i, r in enumerate(result.totals.to_dict("records"), start=1):
        rows.append([i, r["unit"], r["name"], v(r["total"]), v(r["max"]), v(r["percent"]), v(r["rank"]),
                     v(r["band"])] + [v(r[f"field_{f.code}"]) for f in scheme.fields]
                    + [v(r["responses"]), notes.get(r["unit"], "")])
    return headers, rows


def ranking_csv(result, scheme) -> bytes:
    headers, rows = ranking_table(result, scheme)
    return write_csv(headers, rows)


def _bar_chart(ws, title: str, n_rows: int, cat_col: int, val_cols: list[int], anchor: str, horizontal=True):
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = title
    chart.y_axis.title = "%"
    chart.height = max(7.5, 0.5 * n_rows) if horizontal else 9
    chart.width = 18
    for col in val_cols:
        chart.add_data(Reference(ws, min_col=col, min_row=1, max_row=n_rows + 1), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cat_col, min_row=2, max_row=n_rows + 1))
    if horizontal:
        chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top
    ws.add_chart(chart, anchor)


def _ranking_sheet(wb, result, scheme):
    ws = wb.active
    ws.title = _("Xếp hạng")
    headers, rows = ranking_table(result, scheme)
    write_sheet(ws, headers, rows, widths={headers[2]: 40, headers[-1]: 50})
    ws.freeze_panes = "D2"
    if rows:
        _bar_chart(ws, _("Chỉ số (%) theo đơn vị"), len(rows), 3, [6], f"{ws.cell(row=1, column=len(headers) + 2).column_letter}2")


def _field_sheets(wb, result, scheme, leaf_names: dict):
    fp, lp = result.field_points, result.leaf_points
    names = dict(zip(result.totals["unit"], result.totals["name"]))
    for f in scheme.fields:
        ws = wb.create_sheet(_("Lĩnh vực %(code)s", code=f.code)[:31])
        rows_f = fp.loc[fp["field"] == f.code].copy()
        rows_f["rank_key"] = rows_f["rank"].astype("float64").fillna(math.inf)
        rows_f = rows_f.sort_values(["rank_key"], kind="mergesort")
        ranked = int(rows_f["rank"].notna().sum())
        leaves = [lf for lf in scheme.leaves() if lf.field_code == f.code]
        pts = lp.loc[lp["field"] == f.code].pivot(index="unit", columns="leaf", values="points")
        headers = [_("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Điểm"), _("Điểm tối đa"), _("Tỷ lệ (%)"),
                   _("Xếp hạng"), _("Diễn giải")] + [f"{lf.code} ({vn(lf.max)})" for lf in leaves]
        rows = []
        for i, r in enumerate(rows_f.to_dict("records"), start=1):
            says = _("đạt %(points)s/%(max)s điểm, đứng thứ %(rank)s/%(n)d", points=vn(r["points"]), max=vn(r["max"]),
                     rank=vn(r["rank"]) if v(r["rank"]) is not None else "–", n=ranked)
            rows.append([i, r["unit"], names.get(r["unit"], ""), v(r["points"]), v(r["max"]), v(r["percent"]),
                         v(r["rank"]), says] + [v(pts.at[r["unit"], lf.code]) for lf in leaves])
        write_sheet(ws, headers, rows, widths={headers[2]: 40, headers[7]: 34})
        set_text(ws.cell(row=len(rows) + 3, column=1), f"{f.code}. {f.name}")
        for j, lf in enumerate(leaves):
            set_text(ws.cell(row=len(rows) + 4 + j, column=1), f"{lf.code}: {leaf_names.get(lf.code, lf.name)}")
        ws.freeze_panes = "D2"


def _survey_sheet(wb, result, scheme):
    ws = wb.create_sheet(_("Chi tiết khảo sát XHH"))
    maxima = {lf.code: float(lf.max) for lf in scheme.leaves()}
    headers = [_("Mã đơn vị"), _("Mã tiêu chí"), _("Nhóm đối tượng"), _("Số phiếu"), _("Số câu trả lời được tính"),
               _("Mức điểm bình quân"), _("Trọng số nhóm"), _("Điểm tối đa"), _("Điểm theo nhóm"),
               _("Tỷ lệ đạt của tiêu chí"), _("Điểm tiêu chí"), _("Ghi chú")]
    leaf = result.leaf_points[["unit", "leaf", "fraction", "points", "flags"]]
    d = result.survey_detail.merge(leaf, on=["unit", "leaf"], how="left")  # keeps the detail's order
    rows = []
    for r in d.itertuples(index=False):
        top = maxima.get(r.leaf, 0.0)
        s = v(r.s)
        rows.append([r.unit, r.leaf, r.group, v(r.responses), v(r.n_answers), v(r.mean_credit), v(r.weight), top,
                     None if s is None else top * s, v(r.fraction), v(r.points),
                     flag_text(r.flags) if s is None or r.flags else ""])
    write_sheet(ws, headers, rows)


def _assessment_sheet(wb, result, notes: dict):
    ws = wb.create_sheet(_("Tự đánh giá - Thẩm định"))
    names = dict(zip(result.totals["unit"], result.totals["name"]))
    headers = [_("Mã đơn vị"), _("Tên đơn vị"), _("Mã tiêu chí"), _("Điểm tối đa"), _("Điểm tự đánh giá"),
               _("Điểm thẩm định"), _("Chênh lệch (thẩm định − tự đánh giá)"), _("Điểm được tính"),
               _("Cơ quan thẩm định"), _("Ghi chú / tài liệu kiểm chứng"), _("Tình trạng")]
    lp = result.leaf_points
    rows = []
    for r in lp.loc[lp["source"] == "assessed"].to_dict("records"):
        selfs, appraised = v(r["self_score"]), v(r["appraised_score"])
        diff = appraised - selfs if selfs is not None and appraised is not None else None
        appraiser, note = notes.get((r["unit"], r["leaf"]), ("", ""))
        rows.append([r["unit"], names.get(r["unit"], ""), r["leaf"], v(r["max"]), selfs, appraised, diff,
                     v(r["points"]), appraiser, note, flag_text(r["flags"])])
    write_sheet(ws, headers, rows, widths={headers[1]: 30, headers[9]: 40})


def _decisions_sheet(wb, loaded, result):
    ws = wb.create_sheet(_("Quyết định can thiệp"))
    headers = [_("Mã phát hiện"), _("Mã đơn vị"), _("Quy tắc"), _("Mức độ"), _("Trạng thái"), _("Số phiếu liên quan"),
               _("Quyết định"), _("Lý do"), _("Thời điểm")]
    rows = [[d["finding"], d["unit"], d["rule"], d["severity"], d["state"], d["responses"],
             str(ACTION_LABELS.get(d["action"], d["action"])), d["reason"], d["at"]] for d in loaded.decisions]
    write_sheet(ws, headers, rows, widths={headers[7]: 50})
    start = len(rows) + 3
    if not rows:
        set_text(ws.cell(row=2, column=1), _("Không có phát hiện can thiệp nào."))
    unit_headers = [_("Mã đơn vị"), _("Tên đơn vị"), _("Số phiếu bị loại"), _("Hủy kết quả khảo sát"), _("Lý do")]
    for col, h in enumerate(unit_headers, start=1):
        cell = ws.cell(row=start, column=col)
        set_text(cell, h)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    r = start
    for t in result.totals.sort_values("unit").to_dict("records"):
        excluded = loaded.excluded_responses.get(t["unit"], 0)
        if not t["voided"] and not excluded:
            continue
        r += 1
        for col, value in enumerate([t["unit"], t["name"], excluded, _("Có") if t["voided"] else _("Không"),
                                     v(t["void_reason"]) or ""], start=1):
            set_text(ws.cell(row=r, column=col), value)
    if r == start:
        set_text(ws.cell(row=r + 1, column=1), _("Không có phiếu bị loại hay đơn vị bị hủy kết quả khảo sát."))


def _robustness_sheet(wb, result, scheme, robust, loo, params: dict):
    ws = wb.create_sheet(_("Độ vững xếp hạng"))
    names = dict(zip(result.totals["unit"], result.totals["name"]))
    shifts = loo.pivot(index="unit", columns="field", values="shift")
    headers = [_("Mã đơn vị"), _("Tên đơn vị"), _("Xếp hạng chính thức"), _("Xếp hạng trung vị"),
               _("Bách phân vị 5%"), _("Bách phân vị 95%")]
    headers += [_("Bỏ lĩnh vực %(code)s: thay đổi hạng", code=f.code) for f in scheme.fields]
    rows = [[r["unit"], names.get(r["unit"], ""), v(r["rank"]), v(r["median_rank"]), v(r["p05"]), v(r["p95"])]
            + [v(shifts.at[r["unit"], f.code]) for f in scheme.fields] for r in robust.to_dict("records")]
    write_sheet(ws, headers, rows, widths={headers[1]: 40})
    note = _("Mô phỏng Monte Carlo (%(draws)d lần, hạt giống %(seed)d): trọng số mỗi nhóm đối tượng và tỷ trọng "
             "điểm khảo sát / điểm thẩm định được nhân với hệ số ngẫu nhiên trong khoảng ±%(spread)s%%. "
             "Cột “Bỏ lĩnh vực”: hạng chính thức trừ hạng khi bỏ lĩnh vực đó (dương: đơn vị lên hạng).",
             draws=params["draws"], seed=params["seed"], spread=vn(100 * params["spread"], 0))
    set_text(ws.cell(row=len(rows) + 3, column=1), note)


def _profile_sheet(wb, result, scheme):
    ws = wb.create_sheet(_("Hồ sơ lĩnh vực"))
    fp = result.field_points
    headers = [_("Lĩnh vực"), _("Tên lĩnh vực"), _("Điểm tối đa"), _("Bình quân (%)"), _("Cao nhất (%)"),
               _("Thấp nhất (%)")]
    rows = []
    for f in scheme.fields:
        pct = fp.loc[fp["field"] == f.code, "percent"]
        rows.append([f.code, f.name, float(f.max), v(pct.mean()), v(pct.max()), v(pct.min())])
    write_sheet(ws, headers, rows, widths={headers[1]: 50})
    if rows:
        _bar_chart(ws, _("Tỷ lệ điểm theo lĩnh vực: bình quân và cao nhất"), len(rows), 1, [4, 5], "H2",
                   horizontal=False)


def _method_sheet(wb, campaign, comp, scheme, imports, params):
    ws = wb.create_sheet(_("Phương pháp"))
    run = comp.run
    facts = [
        (_("Kỳ đánh giá"), f"{campaign.name} ({campaign.year})"),
        (_("Bộ chỉ số"), f"{scheme.code} — {scheme.name}"),
        (_("Phiên bản bộ chỉ số"), scheme.version),
        (_("Mã băm bộ chỉ số (SHA-256)"), run.scheme_digest),
        (_("Lần tính"), run.id),
        (_("Thời điểm tính (UTC)"), run.created_at.isoformat(timespec="seconds") if run.created_at else ""),
        (_("Mã băm dữ liệu đầu vào (SHA-256)"), run.inputs_digest),
        (_("Mã băm kết quả (SHA-256)"), run.result_digest),
        (_("Phiên bản mã nguồn"), run.code_version),
        (_("Tỷ lệ điểm khảo sát của đơn vị bị hủy kết quả"), float((run.params or {}).get("voided_fraction", 0.0))),
        (_("Độ vững: biên độ, số lần mô phỏng, hạt giống"),
         f"±{vn(100 * params['spread'], 0)}%, {params['draws']}, {params['seed']}"),
    ]
    method = [
        _("Câu trả lời “Không biết / không trả lời” không được tính; phiếu bị loại theo quyết định can thiệp không được tính."),
        _("Điểm của nhóm đối tượng cho một tiêu chí = bình quân, trên các câu hỏi có câu trả lời được tính, của mức điểm bình quân mỗi câu."),
        _("Tỷ lệ đạt của tiêu chí = bình quân có trọng số của các nhóm có dữ liệu; điểm = điểm tối đa × tỷ lệ đạt."),
        _("Tiêu chí chấm điểm: dùng điểm thẩm định nếu có, nếu không dùng điểm tự đánh giá (ghi “Chưa thẩm định”); không có điểm tính 0."),
        _("Tiêu chí không áp dụng: bỏ cả điểm và điểm tối đa. Chỉ số (%) = 100 × tổng điểm / tổng điểm tối đa áp dụng."),
        _("Xếp hạng theo chỉ số chưa làm tròn, đồng hạng kiểu 1, 2, 2, 4; tổng điểm cộng chính xác (math.fsum)."),
    ]
    r = 1
    for label, value in facts:
        set_text(ws.cell(row=r, column=1), str(label))
        ws.cell(row=r, column=1).font = HEADER_FONT
        set_text(ws.cell(row=r, column=2), value)
        r += 1
    r += 1
    for line in method:
        set_text(ws.cell(row=r, column=1), line)
        r += 1

    def table(headers, rows):
        nonlocal r
        r += 1
        for c, h in enumerate(headers, start=1):
            cell = ws.cell(row=r, column=c)
            set_text(cell, h)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        for row in rows:
            r += 1
            for c, value in enumerate(row, start=1):
                cell = ws.cell(row=r, column=c)
                set_text(cell, value)
                if isinstance(value, float):
                    cell.number_format = "0.00"
        r += 1

    table([_("Xếp loại"), _("Tên"), _("Từ (%)")], [[b.code, b.name, float(b.min)] for b in scheme.bands])
    weights = comp.loaded.inputs.weights
    table([_("Tiêu chí (khảo sát)"), _("Nhóm đối tượng"), _("Trọng số")],
          [[w["leaf"], w["group"], float(w["weight"])] for w in weights.to_dict("records")])
    set_text(ws.cell(row=r, column=1), _("Nhóm không ghi trọng số có trọng số 1."))
    r += 1
    table([_("Tệp điểm tự đánh giá"), _("SHA-256"), _("Số dòng"), _("Thời điểm (UTC)"), _("Người nhập")],
          [[i.filename, i.sha256, i.rows, i.created_at.isoformat(timespec="seconds"), who] for i, who in imports])
    ws.column_dimensions["A"].width = 48
    ws.column_dimensions["B"].width = 70


def build_workbook(campaign, comp, robust, loo, robust_params: dict, notes: dict, imports: list) -> bytes:
    """The published workbook of one computation (see the module docstring)."""
    scheme = comp.loaded.scheme
    result = comp.result
    leaf_names = {lf.code: lf.name for lf in scheme.leaves()}
    wb = Workbook()
    _ranking_sheet(wb, result, scheme)
    _field_sheets(wb, result, scheme, leaf_names)
    _profile_sheet(wb, result, scheme)
    _survey_sheet(wb, result, scheme)
    _assessment_sheet(wb, result, notes)
    _decisions_sheet(wb, comp.loaded, result)
    _robustness_sheet(wb, result, scheme, robust, loo, robust_params)
    _method_sheet(wb, campaign, comp, scheme, imports, robust_params)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

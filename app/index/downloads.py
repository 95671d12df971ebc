"""The published workbook and the ranking CSV.

Written with XlsxWriter through app.core.spreadsheet.XlsxBook: numbers as numbers (0.00), text as
text (formula-safe), one font, every sheet landscape and one page wide with its header row
repeated, rates 0–100, charts on their own sheets sized for every unit's full name. Figures
resting on fewer than the campaign's k answer sheets read "< k phiếu" (app.scoring.cells).
"""
from __future__ import annotations

import math
from collections import Counter

import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.spreadsheet import XlsxBook, small_cell_text, write_csv
from app.interference_review.labels import RULE_LABELS, SEVERITY_LABELS, STATE_LABELS
from app.scoring.cells import DEFAULT_MIN_CELL_SHEETS, leaf_sheets, small_cells

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


BARS_PER_PAGE = 40  #: a ranking chart page names at most this many units (more: one sheet per part)


def _chart(book: XlsxBook, title: str, source: str, first: int, last: int, cat_col: int,
           series: list[tuple[int, str]], horizontal: bool):
    """A native bar (or column) chart of rows first … last of the source sheet, Arial throughout."""
    chart = book.wb.add_chart({"type": "bar" if horizontal else "column"})
    for col, colour in series:
        chart.add_series({"name": [source, 0, col], "categories": [source, first, cat_col, last, cat_col],
                          "values": [source, first, col, last, col], "fill": {"color": colour},
                          "gap": 40, "data_labels": {"value": True, "num_format": "0.00",
                                                     "font": {"name": "Arial", "size": 8}}})
    axis_font = {"name": "Arial", "size": 9}
    chart.set_title({"name": title, "name_font": {"name": "Arial", "size": 12, "bold": True}})
    chart.set_legend({"position": "bottom", "font": axis_font} if len(series) > 1 else {"none": True})
    value_axis = {"name": "%", "min": 0, "max": 100, "num_font": axis_font, "name_font": axis_font,
                  "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
    category_axis = {"num_font": axis_font, "interval_unit": 1}  # every name, never every other one
    if horizontal:
        category_axis["reverse"] = True  # rank 1 at the top
        chart.set_x_axis(value_axis)
        chart.set_y_axis(category_axis)
        chart.set_size({"width": 720, "height": 140 + 22 * (last - first + 1)})
    else:
        chart.set_x_axis(category_axis)
        chart.set_y_axis(value_axis)
        chart.set_size({"width": 960, "height": 520})
    return chart


def _chart_sheet(book: XlsxBook, name: str, title: str, source: str, n_rows: int, cat_col: int,
                 series: list[tuple[int, str]], horizontal: bool = True):
    """Charts alone on their sheet and page, tall enough to name every category in full: a
    horizontal chart is portrait with at most BARS_PER_PAGE bars (more: one sheet per part)."""
    step = BARS_PER_PAGE if horizontal else max(n_rows, 1)
    starts = list(range(1, n_rows + 1, step))
    for part, first in enumerate(starts, start=1):
        last = min(first + step - 1, n_rows)
        sheet_name = name if len(starts) == 1 else f"{name} {part}"
        heading = title if len(starts) == 1 else f"{title} ({first}–{last})"
        ws = book.sheet(sheet_name, heading, landscape=not horizontal, grid=False)
        ws.fit_to_pages(1, 1)
        ws.insert_chart(0, 0, _chart(book, heading, source, first, last, cat_col, series, horizontal),
                        {"object_position": 3})


def _ranking_sheet(book: XlsxBook, result, scheme):
    name = _("Xếp hạng")
    ws = book.sheet(name, _("Xếp hạng chỉ số"))
    headers, rows = ranking_table(result, scheme)
    book.table(ws, headers, rows, freeze_cols=3, widths={len(headers) - 1: 50},
               formats={0: "int", 6: "int", len(headers) - 2: "int"})
    if rows:
        _chart_sheet(book, _("Biểu đồ xếp hạng"), _("Chỉ số (%) theo đơn vị"), name, len(rows), 2, [(5, "#2F5597")])


def _suppressed(value, hidden: bool, k: int):
    return small_cell_text(k) if hidden else value


def _field_sheets(book: XlsxBook, result, scheme, leaf_names: dict, k: int):
    fp, lp = result.field_points, result.leaf_points
    names = dict(zip(result.totals["unit"], result.totals["name"]))
    sheets = leaf_sheets(result.survey_detail)
    hidden = set(zip(*[sheets.loc[small_cells(sheets["sheets"], k), c] for c in ("unit", "leaf")]))
    for f in scheme.fields:
        title = _("Lĩnh vực %(code)s", code=f.code)
        ws = book.sheet(title, f"{title}. {f.name}")
        rows_f = fp.loc[fp["field"] == f.code].copy()
        rows_f["rank_key"] = rows_f["rank"].astype("float64").fillna(math.inf)
        rows_f = rows_f.sort_values(["rank_key"], kind="mergesort")
        leaves = [lf for lf in scheme.leaves() if lf.field_code == f.code]
        pts = lp.loc[lp["field"] == f.code].pivot(index="unit", columns="leaf", values="points")
        headers = [_("STT"), _("Mã đơn vị"), _("Tên đơn vị"), _("Điểm"), _("Điểm tối đa"), _("Tỷ lệ (%)"),
                   _("Xếp hạng")] + [lf.code for lf in leaves]
        rows = []
        for i, r in enumerate(rows_f.to_dict("records"), start=1):
            rows.append([i, r["unit"], names.get(r["unit"], ""), v(r["points"]), v(r["max"]), v(r["percent"]),
                         v(r["rank"])] + [_suppressed(v(pts.at[r["unit"], lf.code]), (r["unit"], lf.code) in hidden, k)
                                          for lf in leaves])
        widths = {7 + j: 9 for j in range(len(leaves))}
        nxt = book.table(ws, headers, rows, freeze_cols=3, widths=widths, formats={0: "int", 6: "int"})
        legend = [[lf.code, leaf_names.get(lf.code, lf.name), float(lf.max)] for lf in leaves]
        book.table(ws, [_("Mã tiêu chí"), _("Tên tiêu chí"), _("Điểm tối đa")], legend, first_row=nxt + 1,
                   repeat=False, widths={1: 40})


def _survey_sheet(book: XlsxBook, result, scheme, k: int):
    ws = book.sheet(_("Chi tiết khảo sát XHH"))
    maxima = {lf.code: float(lf.max) for lf in scheme.leaves()}
    group_names = {g.code: g.name for g in scheme.groups}
    headers = [_("Mã đơn vị"), _("Mã tiêu chí"), _("Nhóm đối tượng"), _("Số phiếu"), _("Số câu trả lời được tính"),
               _("Mức điểm bình quân (%)"), _("Trọng số nhóm"), _("Điểm tối đa"), _("Điểm theo nhóm"),
               _("Tỷ lệ đạt của tiêu chí (%)"), _("Điểm tiêu chí"), _("Ghi chú")]
    leaf = result.leaf_points[["unit", "leaf", "fraction", "points", "flags"]]
    d = result.survey_detail.merge(leaf, on=["unit", "leaf"], how="left")  # keeps the detail's order
    sheets = leaf_sheets(result.survey_detail)
    d = d.merge(sheets, on=["unit", "leaf"], how="left")
    cell_hidden = small_cells(d["responses"], k)
    leaf_hidden = small_cells(d["sheets"], k)
    rows = []
    for r, hide, hide_leaf in zip(d.itertuples(index=False), cell_hidden, leaf_hidden):
        top = maxima.get(r.leaf, 0.0)
        s, frac = v(r.s), v(r.fraction)
        rows.append([r.unit, r.leaf, group_names.get(r.group, r.group), v(r.responses),
                     _suppressed(v(r.n_answers), hide, k), _suppressed(None if s is None else 100 * s, hide, k),
                     v(r.weight), top, _suppressed(None if s is None else top * s, hide, k),
                     _suppressed(None if frac is None else 100 * frac, hide_leaf, k),
                     _suppressed(v(r.points), hide_leaf, k), flag_text(r.flags) if s is None or r.flags else ""])
    book.table(ws, headers, rows, freeze_cols=3, formats={3: "int", 4: "int"}, widths={11: 30})
    ws.write_string(len(rows) + 2, 0, _("Ô có ít hơn %(k)d phiếu không được công bố (ghi “%(text)s”) nhưng vẫn được "
                                        "tính vào điểm tiêu chí và tổng điểm.", k=k, text=small_cell_text(k)),
                    book.fmt["text"])


def _assessment_sheet(book: XlsxBook, result, notes: dict):
    ws = book.sheet(_("Tự đánh giá - Thẩm định"))
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
    book.table(ws, headers, rows, freeze_cols=3, widths={1: 30, 9: 40})


def _decisions_sheet(book: XlsxBook, loaded, result):
    ws = book.sheet(_("Quyết định can thiệp"))
    headers = [_("Mã phát hiện"), _("Mã đơn vị"), _("Quy tắc"), _("Mức độ"), _("Trạng thái"), _("Số phiếu liên quan"),
               _("Quyết định"), _("Lý do"), _("Thời điểm")]
    rows = [[d["finding"], d["unit"], str(RULE_LABELS.get(d["rule"], d["rule"])),
             str(SEVERITY_LABELS.get(d["severity"], d["severity"])), str(STATE_LABELS.get(d["state"], d["state"])),
             d["responses"], str(ACTION_LABELS.get(d["action"], d["action"])), d["reason"], d["at"]]
            for d in loaded.decisions]
    nxt = book.table(ws, headers, rows, widths={0: 14, 7: 50}, formats={5: "int"})
    if not rows:
        ws.write_string(nxt, 0, _("Không có phát hiện can thiệp nào."), book.fmt["muted"])
        nxt += 1
    unit_headers = [_("Mã đơn vị"), _("Tên đơn vị"), _("Số phiếu bị loại"), _("Hủy kết quả khảo sát"), _("Lý do")]
    unit_rows = []
    for t in result.totals.sort_values("unit").to_dict("records"):
        excluded = loaded.excluded_responses.get(t["unit"], 0)
        if t["voided"] or excluded:
            unit_rows.append([t["unit"], t["name"], excluded, _("Có") if t["voided"] else _("Không"),
                              v(t["void_reason"]) or ""])
    nxt = book.table(ws, unit_headers, unit_rows, first_row=nxt + 1, repeat=False, formats={2: "int"})
    if not unit_rows:
        ws.write_string(nxt, 0, _("Không có phiếu bị loại hay đơn vị bị hủy kết quả khảo sát."), book.fmt["muted"])


def _robustness_sheet(book: XlsxBook, result, scheme, robust, loo, params: dict):
    ws = book.sheet(_("Độ vững xếp hạng"))
    names = dict(zip(result.totals["unit"], result.totals["name"]))
    shifts = loo.pivot(index="unit", columns="field", values="shift")
    headers = [_("Mã đơn vị"), _("Tên đơn vị"), _("Xếp hạng chính thức"), _("Xếp hạng trung vị"),
               _("Bách phân vị 5%"), _("Bách phân vị 95%")]
    headers += [_("Bỏ lĩnh vực %(code)s: thay đổi hạng", code=f.code) for f in scheme.fields]
    rows = [[r["unit"], names.get(r["unit"], ""), v(r["rank"]), v(r["median_rank"]), v(r["p05"]), v(r["p95"])]
            + [v(shifts.at[r["unit"], f.code]) for f in scheme.fields] for r in robust.to_dict("records")]
    widths = {c: 11 for c in range(2, len(headers))}
    nxt = book.table(ws, headers, rows, freeze_cols=2, widths=widths)
    note = _("Mô phỏng Monte Carlo (%(draws)d lần, hạt giống %(seed)d): trọng số mỗi nhóm đối tượng và tỷ trọng "
             "điểm khảo sát / điểm thẩm định được nhân với hệ số ngẫu nhiên trong khoảng ±%(spread)s%%. "
             "Cột “Bỏ lĩnh vực”: hạng chính thức trừ hạng khi bỏ lĩnh vực đó (dương: đơn vị lên hạng).",
             draws=params["draws"], seed=params["seed"], spread=vn(100 * params["spread"], 0))
    _paragraph(book, ws, nxt + 1, note, min(len(headers), 8) - 1)


def _paragraph(book: XlsxBook, ws, row: int, text: str, last_col: int, chars: int = 110) -> None:
    """A line of prose across columns 0 … last_col, wrapped, with a row tall enough to show it."""
    ws.merge_range(row, 0, row, last_col, "", book.fmt["text"])
    ws.write_string(row, 0, text, book.fmt["text"])
    ws.set_row(row, 13 * max(1, math.ceil(len(text) / chars)))


def _profile_sheet(book: XlsxBook, result, scheme):
    name = _("Hồ sơ lĩnh vực")
    ws = book.sheet(name)
    fp = result.field_points
    headers = [_("Lĩnh vực"), _("Tên lĩnh vực"), _("Điểm tối đa"), _("Bình quân (%)"), _("Cao nhất (%)"),
               _("Thấp nhất (%)")]
    rows = []
    for f in scheme.fields:
        pct = fp.loc[fp["field"] == f.code, "percent"]
        rows.append([f.code, f.name, float(f.max), v(pct.mean()), v(pct.max()), v(pct.min())])
    book.table(ws, headers, rows)
    if rows:
        _chart_sheet(book, _("Biểu đồ lĩnh vực"), _("Tỷ lệ điểm theo lĩnh vực: bình quân và cao nhất"), name,
                     len(rows), 1, [(3, "#2F5597"), (4, "#A9D18E")], horizontal=False)


def _method_sheet(book: XlsxBook, campaign, comp, scheme, imports, params, k: int):
    ws = book.sheet(_("Phương pháp"))
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
        (_("Tỷ lệ điểm khảo sát của đơn vị bị hủy kết quả (%)"),
         100 * float((run.params or {}).get("voided_fraction", 0.0))),
        (_("Độ vững: biên độ, số lần mô phỏng, hạt giống"),
         f"±{vn(100 * params['spread'], 0)}%, {params['draws']}, {params['seed']}"),
        (_("Số phiếu tối thiểu để công bố một ô"), k),
    ]
    method = [
        _("Câu trả lời “Không biết / không trả lời” không được tính; phiếu bị loại theo quyết định can thiệp không được tính."),
        _("Điểm của nhóm đối tượng cho một tiêu chí = bình quân, trên các câu hỏi có câu trả lời được tính, của mức điểm bình quân mỗi câu."),
        _("Tỷ lệ đạt của tiêu chí = bình quân có trọng số của các nhóm có dữ liệu; điểm = điểm tối đa × tỷ lệ đạt."),
        _("Tiêu chí chấm điểm: dùng điểm thẩm định nếu có, nếu không dùng điểm tự đánh giá (ghi “Chưa thẩm định”); không có điểm tính 0."),
        _("Tiêu chí không áp dụng: bỏ cả điểm và điểm tối đa. Chỉ số (%) = 100 × tổng điểm / tổng điểm tối đa áp dụng."),
        _("Xếp hạng theo chỉ số chưa làm tròn, đồng hạng kiểu 1, 2, 2, 4; tổng điểm cộng chính xác (math.fsum)."),
        _("Ô dựa trên ít hơn %(k)d phiếu không được công bố (ghi “%(text)s”) nhưng vẫn được tính vào các tổng.",
          k=k, text=small_cell_text(k)),
    ]
    r = book.table(ws, [_("Mục"), _("Giá trị")], [[str(label), value] for label, value in facts],
                   widths={0: 40, 1: 70}, formats={0: "label"}, repeat=False)
    r += 1
    for line in method:
        _paragraph(book, ws, r, line, 4, chars=150)
        r += 1
    # Weights: one row per survey sub-criterion, one column per group (named, not coded).
    weights = comp.loaded.inputs.weights
    groups = [g for g in scheme.groups if g.code in set(weights["group"])]
    by_leaf: dict = {}
    for w in weights.to_dict("records"):
        by_leaf.setdefault(w["leaf"], {})[w["group"]] = float(w["weight"])
    tables = [
        ([_("Xếp loại"), _("Tên"), _("Từ (%)")], [[b.code, b.name, float(b.min)] for b in scheme.bands]),
        ([_("Tiêu chí (khảo sát)")] + [g.name for g in groups],
         [[leaf] + [ws_.get(g.code) for g in groups] for leaf, ws_ in by_leaf.items()]),
        ([_("Tệp điểm tự đánh giá"), _("SHA-256"), _("Số dòng"), _("Thời điểm (UTC)"), _("Người nhập")],
         [[i.filename, i.sha256, i.rows, i.created_at.isoformat(timespec="seconds"), who] for i, who in imports]),
    ]
    for i, (headers, rows) in enumerate(tables):
        r = book.table(ws, headers, rows, first_row=r + 1, repeat=False)
        if i == 1:
            ws.write_string(r, 0, _("Ô trống: nhóm không đánh giá tiêu chí đó. Nhóm không ghi trọng số có trọng số 1."),
                            book.fmt["text"])
            r += 1


def build_workbook(campaign, comp, robust, loo, robust_params: dict, notes: dict, imports: list) -> bytes:
    """The published workbook of one computation (see the module docstring)."""
    scheme = comp.loaded.scheme
    result = comp.result
    k = getattr(campaign, "min_cell_sheets", None) or DEFAULT_MIN_CELL_SHEETS
    leaf_names = {lf.code: lf.name for lf in scheme.leaves()}
    book = XlsxBook()
    _ranking_sheet(book, result, scheme)
    _field_sheets(book, result, scheme, leaf_names, k)
    _profile_sheet(book, result, scheme)
    _survey_sheet(book, result, scheme, k)
    _assessment_sheet(book, result, notes)
    _decisions_sheet(book, comp.loaded, result)
    _robustness_sheet(book, result, scheme, robust, loo, robust_params)
    _method_sheet(book, campaign, comp, scheme, imports, robust_params, k)
    return book.save()

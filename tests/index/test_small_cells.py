"""Issue 12 §4: no published figure rests on fewer than k answer sheets; the cell reads
"< k phiếu" and still counts in the totals above it — workbook, CSV, JSON, CLI and pages.

  BIG    4 sheets in every group, all "Rất tốt"
  SMALL  4 sheets in every group but HDND, which has 2 sheets all "Rất kém": the HDND cells are
         suppressed, SMALL's sub-criterion and total scores still include them (lower than BIG)
  TINY   2 sheets (LD_SO only): even its sub-criterion points rest on 2 sheets → suppressed
"""
import csv
import io
import json

from app.core.schemes import get_scheme
from app.extensions import db
from app.models import Campaign
from tests.conftest import csrf_token

from .conftest import workbook_from

GROUPS = ("HDND", "LD_SO", "LD_PHONG", "LD_HUYEN", "NGUOI_DAN")
UNITS = [("BIG", "Sở Lớn", "department"), ("SMALL", "Sở Nhỏ", "department"), ("TINY", "Sở Rất nhỏ", "department")]


def _campaign(make_campaign, make_responses) -> Campaign:
    campaign = make_campaign(units=UNITS)
    for g in GROUPS:
        make_responses(campaign, "BIG", g, "a", n=4)
        make_responses(campaign, "SMALL", g, "e" if g == "HDND" else "a", n=2 if g == "HDND" else 4)
    make_responses(campaign, "TINY", "LD_SO", "a", n=2)
    return campaign


def _compute(runner, campaign, tmp_path, name="chi-so.xlsx"):
    book = tmp_path / name
    out = runner.invoke(args=["index", "compute", "--campaign", str(campaign.id), "--out", str(book),
                              "--draws", "5", "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output), workbook_from(book.read_bytes())


def _table(ws):
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return rows[0], rows[1:]


def test_workbook_cli_and_json_suppress_small_cells_and_keep_them_in_totals(app, runner, make_campaign,
                                                                             make_responses, tmp_path):
    campaign = _campaign(make_campaign, make_responses)
    hdnd = next(g.name for g in get_scheme(campaign.scheme_code).groups if g.code == "HDND")
    data, wb = _compute(runner, campaign, tmp_path)
    headers, rows = _table(wb["Chi tiết khảo sát XHH"])
    col = {h: i for i, h in enumerate(headers)}
    small_hdnd = [r for r in rows if r[0] == "SMALL" and r[2] == hdnd]
    assert small_hdnd
    for r in small_hdnd:
        assert r[col["Số phiếu"]] == 2
        for h in ("Mức điểm bình quân (%)", "Điểm theo nhóm", "Số câu trả lời được tính"):
            assert r[col[h]] == "< 3 phiếu", (h, r)
        assert isinstance(r[col["Tỷ lệ đạt của tiêu chí (%)"]], (int, float))  # the sub-criterion: 18 sheets
    big_hdnd = [r for r in rows if r[0] == "BIG" and r[2] == hdnd]
    assert all(r[col["Mức điểm bình quân (%)"]] == 100 for r in big_hdnd)
    tiny = [r for r in rows if r[0] == "TINY" and r[col["Số phiếu"]]]
    assert tiny and all(r[col["Điểm tiêu chí"]] == "< 3 phiếu" and r[col["Mức điểm bình quân (%)"]] == "< 3 phiếu"
                        for r in tiny)
    # Nothing in any sheet shows a figure for the hidden cells (one value per row and sub-criterion).
    f_headers, f_rows = _table(wb["Lĩnh vực 1"])
    tiny_row = next(r for r in f_rows if r[1] == "TINY")
    assert "< 3 phiếu" in tiny_row
    # The suppressed cells still count: SMALL's HDND answers pull its score below BIG's, and TINY's
    # hidden sub-criterion points are in its total (which has no assessed points).
    by_code = {u["code"]: u for u in data["units"]}
    assert by_code["SMALL"]["total"] < by_code["BIG"]["total"]
    assert by_code["TINY"]["total"] > 0
    assert not [u for u in data["units"] if "< 3" in json.dumps(u, ensure_ascii=False)]  # totals only

    # k is the campaign's: with k = 1 the same totals, and the cells show their figures.
    campaign.min_cell_sheets = 1
    db.session.commit()
    data1, wb1 = _compute(runner, campaign, tmp_path, "k1.xlsx")
    assert [(u["code"], u["total"]) for u in data1["units"]] == [(u["code"], u["total"]) for u in data["units"]]
    headers1, rows1 = _table(wb1["Chi tiết khảo sát XHH"])
    assert all(r[headers1.index("Mức điểm bình quân (%)")] == 0 for r in rows1 if r[0] == "SMALL" and r[2] == hdnd)
    assert not any("< 1 phiếu" in str(v) for r in rows1 if r[0] in ("BIG", "SMALL", "TINY") for v in r)


def test_k_in_the_text_and_the_method_sheet(app, runner, make_campaign, make_responses, tmp_path):
    campaign = _campaign(make_campaign, make_responses)
    campaign.min_cell_sheets = 5
    db.session.commit()
    _, wb = _compute(runner, campaign, tmp_path)
    headers, rows = _table(wb["Chi tiết khảo sát XHH"])
    mean = headers.index("Mức điểm bình quân (%)")
    assert {r[mean] for r in rows if r[0] == "BIG"} == {"< 5 phiếu"}  # 4 sheets < 5
    method = {r[0]: r[1] for r in _table(wb["Phương pháp"])[1] if r and r[0]}
    assert method["Số phiếu tối thiểu để công bố một ô"] == 5


def test_csv_and_pages_publish_totals_that_include_suppressed_cells(app, client, as_role, runner, make_campaign,
                                                                    make_responses, tmp_path):
    campaign = _campaign(make_campaign, make_responses)
    data, _ = _compute(runner, campaign, tmp_path)
    by_code = {u["code"]: u for u in data["units"]}
    as_role("admin")
    text = client.get(f"/index/campaigns/{campaign.id}/runs/{data['run']}/ranking.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    total = rows[0].index("Tổng điểm")
    assert {r[1]: float(r[total]) for r in rows[1:]} == {c: u["total"] for c, u in by_code.items()}
    page = client.get(f"/index/campaigns/{campaign.id}/runs/{data['run']}").get_data(as_text=True)
    assert "Sở Rất nhỏ" in page and "Sở Nhỏ" in page


def test_admin_sets_k_on_the_campaign_form(app, client, as_role, make_campaign):
    campaign = make_campaign(units=UNITS)
    assert campaign.min_cell_sheets == 3
    as_role("admin")
    url = f"/admin/campaigns/{campaign.id}"
    form = {"csrf_token": csrf_token(client, url), "action": "deadlines",
            "d-lists_by": campaign.lists_by.isoformat(), "d-answers_by": campaign.answers_by.isoformat(),
            "d-assessments_by": campaign.assessments_by.isoformat()}
    assert client.post(url, data={**form, "d-min_cell_sheets": "5"}).status_code == 302
    db.session.refresh(campaign)
    assert campaign.min_cell_sheets == 5
    response = client.post(url, data={**form, "d-min_cell_sheets": "0"})
    assert response.status_code == 200  # the form again, with its error; nothing changed
    db.session.refresh(campaign)
    assert campaign.min_cell_sheets == 5

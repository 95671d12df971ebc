"""Dashboard, drill-down, JSON endpoint, exports and CLI: numbers, role rules, bad input."""
import csv
import io
import json
from datetime import timedelta

from openpyxl import load_workbook

from app.extensions import db
from app.models import Answer, Heartbeat, Response, utcnow

from .conftest import TOTALS


def _url(known, path=""):
    return f"/progress/campaigns/{known.campaign.id}{path}"


def test_dashboard_shows_the_figures(known, client, as_role):
    as_role("coordinator")
    html = client.get(_url(known)).get_data(as_text=True)
    assert "Sở Tư pháp" in html and "Sở Nội vụ" in html and "UBND huyện Đông Anh" in html
    assert "30,0 %" in html and "50,0 %" in html  # Vietnamese decimal comma
    totals = html[html.index("<tfoot>"):html.index("</tfoot>")]
    for value in TOTALS:
        assert f'<td class="num">{value}</td>' in totals
    assert "33,3 %" in totals
    assert "<svg" in html and "<title" in html  # charts, accessible
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style


def test_bad_filter_is_named_and_the_page_still_shows(known, client, as_role):
    as_role("coordinator")
    response = client.get(_url(known, "?rate_below=abc"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Bộ lọc tỉ lệ &#39;abc&#39; không phải là số" in html
    assert "Sở Nội vụ" in html
    api = client.get(f"/progress/campaigns/{known.campaign.id}/api?group=zz")
    assert api.status_code == 400 and "zz" in api.get_json()["error"]


def test_focal_sees_only_its_own_units(known, client, as_role):
    as_role("focal", units=["SO_NV"])
    html = client.get(_url(known)).get_data(as_text=True)
    assert "Sở Nội vụ" in html and "Sở Tư pháp" not in html
    assert client.get(_url(known, f"/units/{known.units['SO_NV'].code}")).status_code == 200
    assert client.get(_url(known, f"/units/{known.units['SO_TP'].code}")).status_code == 403
    api = f"/progress/campaigns/{known.campaign.id}/api"
    assert [u["code"] for u in client.get(api).get_json()["units"]] == ["SO_NV"]
    assert client.get(api + "?unit=SO_TP").status_code == 403
    assert client.get(api + f"?unit_id={known.units['SO_TP'].id}").status_code == 403
    # Two invited people: "1 answered" would tell SO_NV which of its two evaluators did (folding.py).
    totals = client.get(api + "?unit=SO_NV").get_json()["totals"]
    assert totals["invited"] == 2 and totals["answered"] is None
    rows = client.get(_url(known, "/export.csv")).get_data(as_text=True)
    assert "SO_NV" in rows and "SO_TP" not in rows


def test_other_roles_and_anonymous_are_refused(known, client, as_role, make_user):
    assert client.get(_url(known)).status_code == 302
    as_role("enumerator", units=["SO_TP"])
    assert client.get(_url(known)).status_code == 403
    assert client.get(f"/progress/campaigns/{known.campaign.id}/api").status_code == 403


def test_json_endpoint_has_the_same_figures(known, client, as_role):
    as_role("admin")
    data = client.get(f"/progress/campaigns/{known.campaign.id}/api").get_json()
    assert [data["totals"][k] for k in ("listed", "invitations", "invited", "delivered", "failed", "opened",
                                        "answered", "reminders")] == list(TOTALS)
    assert data["totals"]["rate"] == 33.33
    so_tp = next(u for u in data["units"] if u["code"] == "SO_TP")
    assert {g["code"]: g["answered"] for g in so_tp["groups"]} == {"LD_SO": 2, "NGUOI_DAN": 1}
    assert data["runner"]["alive"] is False and data["outbox"]["queued"] == 0


def test_drilldown_shows_status_and_reason_never_answers(known, client, as_role):
    response = Response(campaign_id=known.campaign.id, unit_id=known.units["SO_TP"].id,
                        group_id=known.groups["LD_SO"].id, questionnaire_code="Q_LD_SO")
    response.answers.append(Answer(item_code="Q1", text="Câu trả lời bí mật"))
    db.session.add(response)
    db.session.commit()
    as_role("coordinator")
    html = client.get(_url(known, f"/units/{known.units['SO_TP'].code}")).get_data(as_text=True)
    for label in ("Đã trả lời", "Đã mở", "Gửi lỗi", "Bị trả lại", "Đã gửi", "Đang chờ gửi", "Chưa gửi", "Chưa mời",
                  "Đã thu hồi"):
        assert label in html, label
    assert "550 hộp thư không tồn tại" in html
    assert "Câu trả lời bí mật" not in html
    assert "Đổi địa chỉ" in html and "Gửi lại thư mời" in html and "Gửi đôn đốc cho cả đơn vị" in html


def test_runner_down_is_said_instead_of_a_frozen_bar(known, client, as_role):
    as_role("coordinator")
    html = client.get(_url(known)).get_data(as_text=True)
    assert "Tiến trình gửi thư không chạy" in html
    assert 'id="runner-down">' in html and 'id="runner-up" hidden' in html
    db.session.add(Heartbeat(name="jobs", at=utcnow(), leader=True))
    db.session.commit()
    html = client.get(_url(known)).get_data(as_text=True)
    assert 'id="runner-down" hidden' in html and 'id="runner-up">' in html
    db.session.get(Heartbeat, "jobs").at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert client.get(f"/progress/campaigns/{known.campaign.id}/api/outbox").get_json()["runner"]["alive"] is False


def test_exports_are_formula_safe_and_stamped(known, client, as_role):
    known.units["H_DA"].name = "=HYPERLINK(\"http://x\")"
    db.session.commit()
    as_role("coordinator")
    response = client.get(_url(known, "/export.csv"))
    assert response.headers["Content-Disposition"].startswith('attachment; filename="tien-do-')
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Kỳ đánh giá" and rows[1][0] == "Số liệu lúc" and rows[1][1].endswith("UTC")
    header = rows[3]
    assert header[:4] == ["Mã đơn vị", "Tên đơn vị", "Loại", "Nhóm đối tượng"]
    table = {(r[0], r[3]): r for r in rows[4:]}
    assert table[("SO_TP", "Tất cả")][4:] == ["12", "10", "9", "4", "2", "3", "3", "30.0", "3"]
    assert table[("Tổng cộng", "")][4:12] == [str(v) for v in TOTALS[:7]] + ["33.33"]
    assert table[("H_DA", "Tất cả")][1].startswith("'=")
    wb = load_workbook(io.BytesIO(client.get(_url(known, "/export.xlsx")).data))
    ws = wb["Tiến độ"]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert ["SO_TP", "Sở Tư pháp", "Sở, ban, ngành", "Tất cả", 12, 10, 9, 4, 2, 3, 3, 30.0, 3] in values
    unit_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "SO_TP" and r[3].value == "Tất cả")
    group_row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "SO_TP" and r[3].value != "Tất cả")
    assert unit_row[3].font.b and not group_row[3].font.b and group_row[3].value.startswith("    ")
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # one page wide
    assert ws.print_title_rows.replace("$", "") == "1:1"  # header repeated on every page
    formula = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "H_DA")[1]
    assert formula.data_type == "s" and formula.quotePrefix
    info = {r[0].value: r[1].value for r in wb["Thông tin"].iter_rows(min_row=2)}
    assert info["Số liệu lúc"].endswith("UTC")


def test_cli_progress_show(known, runner):
    result = runner.invoke(args=["progress", "show", "--campaign", str(known.campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["answered"] == 4 and len(data["units"]) == 3
    one = json.loads(runner.invoke(args=["progress", "show", "--campaign", str(known.campaign.id),
                                         "--unit", "SO_NV", "--json"]).output)
    assert [u["code"] for u in one["units"]] == ["SO_NV"]
    text = runner.invoke(args=["progress", "show", "--campaign", str(known.campaign.id)])
    assert text.exit_code == 0 and "TOTAL" in text.output
    bad = runner.invoke(args=["progress", "show", "--campaign", "999"])
    assert bad.exit_code != 0 and "999" in bad.output
    bad_unit = runner.invoke(args=["progress", "show", "--campaign", str(known.campaign.id), "--unit", "NOPE"])
    assert bad_unit.exit_code != 0 and "NOPE" in bad_unit.output

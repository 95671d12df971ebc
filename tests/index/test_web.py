"""Screens: who may see what, compute, downloads, charts, robustness, the focal unit's page."""
import csv
import io

from app.extensions import db
from app.models import IndexRun, SelfAssessment
from tests.conftest import csrf_token

from .conftest import fill_template, workbook_from


def _compute(client, campaign):
    token = csrf_token(client, f"/index/campaigns/{campaign.id}")
    response = client.post(f"/index/campaigns/{campaign.id}/compute", data={"csrf_token": token, "reason": "Tính thử."})
    assert response.status_code == 302
    return db.session.scalars(db.select(IndexRun).order_by(IndexRun.id.desc())).first()


def test_admin_computes_and_downloads(client, as_role, make_campaign, make_responses):
    campaign = make_campaign()
    make_responses(campaign, "SO_TP", "HDND", "a", n=2)
    make_responses(campaign, "SO_NV", "HDND", "c")
    as_role("admin")
    run = _compute(client, campaign)
    page = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}").get_data(as_text=True)
    assert "<svg" in page and "Sở Tư pháp" in page and run.result_digest in page
    assert "<script" not in page and 'style="' not in page
    book = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/workbook.xlsx")
    assert book.status_code == 200 and book.mimetype.endswith("spreadsheetml.sheet")
    ws = workbook_from(book.data)["Xếp hạng"]
    assert ws.cell(2, 2).value == "SO_TP" and ws.cell(2, 7).value == 1
    ranking = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/ranking.csv")
    rows = list(csv.reader(io.StringIO(ranking.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["STT", "Mã đơn vị", "Tên đơn vị"] and rows[1][1] == "SO_TP"
    robust = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/robustness?spread=25&draws=200")
    assert robust.status_code == 200 and "Khoảng xếp hạng" in robust.get_data(as_text=True)
    profile = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/units/SO_TP").get_data(as_text=True)
    assert "Bình quân" in profile and "<svg" in profile
    assert client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/units/NOPE").status_code == 404


def test_download_serves_the_stored_workbook_without_recomputing(client, as_role, make_campaign, make_responses,
                                                                  monkeypatch):
    campaign = make_campaign()
    make_responses(campaign, "SO_NV", "HDND", "b")  # a campaign without any data is not computed at all
    as_role("admin")
    run = _compute(client, campaign)
    stored = run.workbook
    assert stored and run.params["robustness"] == {"spread": 0.25, "draws": 1000, "seed": 0}
    make_responses(campaign, "SO_TP", "HDND", "a")  # the inputs change after the run

    def recompute(*args, **kwargs):
        raise AssertionError("a download recomputed the index")

    import app.index.services as services
    for name in ("compute_index", "rank_robustness", "leave_one_field_out", "load_inputs"):
        monkeypatch.setattr(services, name, recompute)
    book = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/workbook.xlsx")
    assert book.status_code == 200 and book.data == stored
    ws = workbook_from(book.data)["Xếp hạng"]
    assert ws.cell(2, 2).value == "SO_NV"  # run N's numbers: SO_TP had no answers then


def test_changed_inputs_refuse_a_run_stored_without_its_workbook(client, as_role, make_campaign, make_responses):
    campaign = make_campaign()
    make_responses(campaign, "SO_NV", "HDND", "b")
    as_role("admin")
    run = _compute(client, campaign)
    run.workbook = None  # a run stored before workbooks were kept with the run: recomputed on download
    db.session.commit()
    book = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/workbook.xlsx")
    assert book.status_code == 200 and workbook_from(book.data)["Xếp hạng"].cell(2, 2).value == "SO_NV"
    make_responses(campaign, "SO_TP", "HDND", "a")
    response = client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/workbook.xlsx", follow_redirects=True)
    assert "Dữ liệu đầu vào đã thay đổi" in response.get_data(as_text=True)


def test_coordinator_views_but_does_not_download(client, as_role, make_campaign, make_user, make_responses):
    campaign = make_campaign()
    make_responses(campaign, "SO_NV", "HDND", "b")
    from tests.conftest import login
    admin = make_user("admin")
    login(client, admin)
    run = _compute(client, campaign)
    as_role("coordinator")
    assert client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}").status_code == 200
    assert client.get(f"/index/campaigns/{campaign.id}/runs/{run.id}/workbook.xlsx").status_code == 403
    assert client.post(f"/index/campaigns/{campaign.id}/compute").status_code in (400, 403)


def test_focal_template_and_import_only_own_unit(client, as_role, make_campaign):
    campaign = make_campaign()
    as_role("focal", units=["SO_TP"])
    assert client.get(f"/index/campaigns/{campaign.id}").status_code == 403
    page = client.get(f"/index/campaigns/{campaign.id}/assessments").get_data(as_text=True)
    assert "Sở Tư pháp" in page and "Sở Nội vụ" not in page
    template = client.get(f"/index/campaigns/{campaign.id}/assessments/template.xlsx")
    ws = workbook_from(template.data).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert "Điểm thẩm định" not in headers
    assert {ws.cell(r, 1).value for r in range(2, ws.max_row + 1)} == {"SO_TP"}
    filled = fill_template(template.data, lambda u, c, top: {"Điểm tự đánh giá": top} if c == "1.1.1" else None)
    token = csrf_token(client, f"/index/campaigns/{campaign.id}/assessments")
    response = client.post(f"/index/campaigns/{campaign.id}/assessments", data={
        "csrf_token": token, "file": (io.BytesIO(filled), "tu-danh-gia.xlsx")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(db.select(SelfAssessment.self_score)) == 1.0
    bad = b"M\xc3\xa3 \xc4\x91\xc6\xa1n v\xe1\xbb\x8b,M\xc3\xa3 ti\xc3\xaau ch\xc3\xad,\xc4\x90i\xe1\xbb\x83m t\xe1\xbb\xb1 \xc4\x91\xc3\xa1nh gi\xc3\xa1\nSO_NV,1.1.1,1\n"
    response = client.post(f"/index/campaigns/{campaign.id}/assessments", data={
        "csrf_token": token, "file": (io.BytesIO(bad), "x.csv")}, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tệp có 1 dòng của đơn vị khác (SO_NV)" in text  # one error, not one per row
    assert "dòng 2:" not in text

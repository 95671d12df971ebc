"""The whole flow under real conditions, in headless Chromium against a live server (issue 9, item 1).

Secretariat sets up a campaign → a focal unit uploads a list with bad rows, fixes them, submits →
the secretariat approves and sends invitations through a real SMTP server on loopback → the
respondents open the mailed links and answer (one saves a draft and resumes) → a coordinator
reminds a unit from the dashboard → three answers from one browser are found and the unit's
survey is voided → self-assessment scores are imported → the index is computed and its workbook
checked against figures derived here by hand from the scheme.

Screenshots of every step: test-artifacts/e2e/NN-step.png.
"""
import csv
import io
import re
from datetime import timedelta

import pytest

from app.core.schemes import get_scheme, questionnaire
from app.extensions import db
from app.mailing.outbox import drain
from app.mailing.tokens import read_token
from app.models import Finding, IndexRun, Invitation, Response, SurveyDraft, Unit
from tests.conftest import release_all

from .conftest import (answer_all, confirmed, download, flash, links_in, person, save, settle, submit_sheet, upload,
                       watch, workbook)

pytestmark = pytest.mark.browser
SCHEME = "PAR_PROVINCE"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ADMIN, FOCAL, COORD = "thuongtruc@sonoivu.example.vn", "daumoi@sotp.example.vn", "theodoi@sonoivu.example.vn"
PASSWORD = "Tre-xanh-gio-sang-2026"
UNITS = {"SO_TP": ("Sở Tư pháp", "department"), "SO_NV": ("Sở Nội vụ", "department"),
         "H_DA": ("UBND huyện Đông Anh", "district")}
#: STT, name, position, organisation, group, e-mail, phone, address, assessed units. Rows 2, 3 and 6 are bad.
LIST = [
    (1, "Nguyễn Văn An", "Phó Giám đốc", "Sở Tư pháp", "LD_SO", "an.nv@sotp.example.vn", "0912 521 461", "", "SO_NV"),
    (2, "Trần Thị Bình", "Trưởng phòng", "Sở Tư pháp", "LD_SO", "binh.tt@@sotp.example.vn", "0912 521 462", "", "SO_NV"),
    (3, "Lê Văn Cường", "Chánh Văn phòng", "Sở Tư pháp", "LD-SO", "cuong.lv@sotp.example.vn", "0912 521 463", "", "SO_NV"),
    (4, "Phạm Thị Dung", "Giám đốc", "Sở Kế hoạch và Đầu tư", "LD_SO", "dung.pt@skhdt.example.vn", "0912 521 464", "",
     "SO_TP"),
    (5, "Hoàng Văn Em", "Phó Giám đốc", "Sở Tài chính", "LD_SO", "em.hv@stc.example.vn", "0912 521 465", "", "SO_TP"),
    (6, "Vũ Thị Giang", "Đại biểu", "HĐND tỉnh", "HDND", "giang.vt@hdnd.example.vn", "09125", "", "H_DA"),
    (7, "Đặng Văn Hùng", "Trưởng phòng", "Sở Tư pháp", "LD_PHONG", "hung.dv@sotp.example.vn", "0912 521 467", "",
     "SO_TP;H_DA"),
]
FIXES = {"binh.tt@@sotp.example.vn": "binh.tt@sotp.example.vn", "LD-SO": "LD_SO", "09125": "0912 521 466"}
#: Appraised share of each assessed sub-criterion's maximum (the self score is 0.05 higher).
APPRAISED = {"SO_TP": 0.9, "SO_NV": 0.95, "H_DA": 0.7}
VOID_REASON = "Ba phiếu về Sở Nội vụ được trả lời liên tiếp trên cùng một máy."


def test_whole_flow(app, make_user, runner, chromium, base_url, smtp_inbox, shots, tmp_path):
    inbox, smtp_port = smtp_inbox
    make_user("admin", email=ADMIN, password=PASSWORD)  # the first account comes from `users create`
    settle()
    errors: list = []
    admin = person(chromium, base_url, ADMIN, PASSWORD, errors)

    # ---- 1. The secretariat sets up the campaign, its units, the accounts and the official mailbox.
    admin.click("nav >> text=Kỳ đánh giá")
    admin.select_option("#scheme", SCHEME)
    admin.fill("#year", "2026")
    admin.fill("#name", "Chỉ số CCHC các sở, UBND huyện năm 2026")
    admin.click("button:has-text('Tạo')")
    assert flash(admin) == "Đã tạo kỳ đánh giá."
    campaign_id = int(re.search(r"/admin/campaigns/(\d+)$", admin.url).group(1))
    admin.fill("#u-code", "SO_TP")
    admin.fill("#u-name", UNITS["SO_TP"][0])
    admin.fill("#u-kind", UNITS["SO_TP"][1])
    admin.click("form:has(input[name=action][value=unit]) button")
    assert flash(admin) == "Đã thêm đơn vị."
    units_csv = io.StringIO()
    csv.writer(units_csv).writerows([["Mã đơn vị", "Tên đơn vị", "Loại"]]
                                    + [[code, *UNITS[code]] for code in ("SO_NV", "H_DA")])
    upload(admin, "#f-file", "don_vi.csv", units_csv.getvalue().encode(), "text/csv")
    admin.click("form:has(input[name=action][value=units_import]) button")
    assert flash(admin) == "Đã nhập 2 đơn vị."
    assert "(3)" in admin.inner_text("h2:has-text('Đơn vị được đánh giá')")
    shots(admin, "campaign-set-up")

    admin.click("nav >> text=Tài khoản")
    for email, role, units in ((FOCAL, "focal", "SO_TP"), (COORD, "coordinator", "")):
        admin.fill("#email", email)
        admin.select_option("#role", role)
        admin.fill("#units", units)
        admin.fill("#password", PASSWORD)
        admin.click("form:has(#role) button[type=submit]")
        assert flash(admin) == "Đã tạo tài khoản."
    shots(admin, "accounts")

    admin.click("nav >> text=Hộp thư công vụ")
    admin.fill("#unit_code", "SO_TP")
    admin.fill("#host", "127.0.0.1")
    admin.fill("#port", str(smtp_port))
    admin.select_option("#tls", "none")
    admin.fill("#sender", "vanphong@sotp.example.vn")
    admin.fill("#sender_name", "Văn phòng Sở Tư pháp")
    admin.click("form:has(#host) button[type=submit]")
    assert flash(admin) == "Đã lưu hộp thư công vụ."
    shots(admin, "mailbox")

    # ---- 2. The focal unit: template, upload with bad rows, the errors on screen, the fixed rows, submit.
    focal = person(chromium, base_url, FOCAL, PASSWORD, errors)
    focal.click("text=Danh sách khảo sát")  # one unit only: straight to its list
    assert focal.url.endswith(f"/lists/campaigns/{campaign_id}/units/SO_TP")
    book = workbook(download(focal, "a:has-text('Tải biểu mẫu Excel')"))
    assert {"LD_SO", "HDND", "LD_PHONG"} <= {r[0] for r in book["Nhóm đối tượng"].iter_rows(min_row=2, values_only=True)}
    sheet = book["Danh sách"]
    assert [c.value for c in sheet[1]][:9] == ["STT", "Họ và tên", "Chức vụ", "Đơn vị công tác", "Nhóm đối tượng",
                                               "Email", "Số điện thoại", "Địa chỉ", "Đơn vị được đánh giá"]
    for r, row in enumerate(LIST, start=2):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    upload(focal, "#u-file", "danh_sach_SO_TP.xlsx", save(book), XLSX)
    focal.click("button:has-text('Tải lên')")
    assert flash(focal, "warning") == ("Đã đọc 7 dòng: nhập 4 người, 0 dòng trùng, 3 dòng lỗi. "
                                       "Hãy tải tệp lỗi, sửa các dòng đó rồi tải lên lại.")
    bad = focal.locator("section:has-text('Kết quả lần tải lên gần nhất') tbody tr").all_inner_texts()
    assert [line.split("\t")[0] for line in bad] == ["3", "4", "7"]
    assert "binh.tt@@sotp.example.vn" in bad[0] and "LD-SO" in bad[1] and "09125" in bad[2]
    shots(focal, "list-errors")

    fixed = workbook(download(focal, "a:has-text('Tải các dòng lỗi')"))
    for row in fixed.active.iter_rows(min_row=2):
        for cell in row:
            cell.value = FIXES.get(cell.value, cell.value)
    upload(focal, "#u-file", "loi_da_sua.xlsx", save(fixed), XLSX)
    focal.check("input[name=u-mode][value=append]")
    focal.click("button:has-text('Tải lên')")
    assert flash(focal) == ("Đã đọc 3 dòng: nhập 3 người, 0 dòng trùng, 0 dòng lỗi. "
                            "Tệp sửa lỗi được bổ sung vào danh sách (không thay thế).")
    assert "(7)" in focal.inner_text("h2:has-text('Danh sách đối tượng')")
    focal.fill("#c-explanation", "Sở chưa có đủ đại biểu HĐND và người dân trong đợt thử nghiệm.")
    focal.click("button:has-text('Gửi danh sách')")
    assert flash(focal).startswith("Đã gửi danh sách.")
    shots(focal, "list-submitted")

    # ---- 3. Approval and invitations through the unit's official mailbox (real SMTP on loopback).
    admin.goto(f"{base_url}/lists/campaigns/{campaign_id}/units/SO_TP")
    admin.click("button:has-text('Duyệt')")
    assert flash(admin) == "Đã duyệt danh sách."
    admin.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    admin.click(".subnav >> text=Thư mời")
    done = confirmed(admin, shots, "button:has-text('Gửi thư mời')", "Sẽ xếp hàng 7 thư (8 thư mời)",
                     "button:has-text('Gửi 7 thư')", ("invitations-confirm", "invitations-queued"))
    assert done == "Đã xếp hàng 8 thư mời (7 thư); 8 thư mời mới được tạo."
    settle()
    assert drain().sent == 7  # what `flask mail drain` runs
    settle()
    mails = {m["To"]: m for m in inbox.messages}
    assert len(inbox.messages) == 7 and len(mails) == 7
    assert all("vanphong@sotp.example.vn" in m["From"] for m in mails.values())
    assert mails["binh.tt@sotp.example.vn"]["Subject"].startswith("Thư mời tham gia khảo sát")
    link = {}  # (e-mail, unit code) -> link
    for to, message in mails.items():
        for url in links_in(message):
            assert url.startswith(base_url)
            invitation = db.session.get(Invitation, read_token(url.rsplit("/", 1)[1])[0])
            link[to, db.session.get(Unit, invitation.unit_id).code] = url
    assert len(link) == 8 and len(links_in(mails["hung.dv@sotp.example.vn"])) == 2
    settle()

    # ---- 4. Answering. Three links about Sở Nội vụ answered one after the other on one browser (planted).
    shared = chromium.new_context(locale="vi-VN")
    page = shared.new_page()
    watch(page, errors)
    for email in ("an.nv@sotp.example.vn", "binh.tt@sotp.example.vn", "cuong.lv@sotp.example.vn"):
        page.goto(link[email, "SO_NV"])
        answer_all(page)
        submit_sheet(page)
    shots(page, "planted-answers")
    shared.close()

    draft_ctx = chromium.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
    page = draft_ctx.new_page()
    watch(page, errors)
    page.goto(link["dung.pt@skhdt.example.vn", "SO_TP"])
    shots(page, "survey-form-phone")
    page.locator("fieldset.question").first.locator("label.option").nth(1).click()
    page.get_by_role("button", name="Lưu tạm").click()
    page.wait_for_load_state()
    assert "Đã lưu tạm" in page.content()
    shots(page, "draft-saved")
    page.close()
    settle()
    assert db.session.query(SurveyDraft).count() == 1
    settle()
    page = draft_ctx.new_page()  # later, the same link from the mail
    watch(page, errors)
    page.goto(link["dung.pt@skhdt.example.vn", "SO_TP"])
    assert page.locator("fieldset.question").first.locator("input").nth(1).is_checked()
    answer_all(page)
    submit_sheet(page)
    shots(page, "draft-resumed-and-sent")
    draft_ctx.close()

    for email, unit in (("em.hv@stc.example.vn", "SO_TP"), ("giang.vt@hdnd.example.vn", "H_DA")):
        ctx = chromium.new_context(locale="vi-VN")
        page = ctx.new_page()
        watch(page, errors)
        page.goto(link[email, unit])
        answer_all(page)
        submit_sheet(page)
        ctx.close()
    settle()
    # Sheets are sealed at submission; the job runner releases them later, shuffled (docs/ANONYMITY.md).
    assert db.session.query(Response).count() == 0
    release_all()
    assert db.session.query(Response).count() == 6 and db.session.query(SurveyDraft).count() == 0
    # Three days pass without an answer from Đặng Văn Hùng (reminders keep a gap of 3 days).
    for invitation in db.session.scalars(db.select(Invitation)):  # (in Python: SQLite has no date arithmetic)
        invitation.sent_at -= timedelta(days=4)
    settle()

    # ---- 5. The coordinator reminds Sở Tư pháp from the dashboard; the reminder link is answered.
    coord = person(chromium, base_url, COORD, PASSWORD, errors)
    coord.click("text=Tiến độ")
    shots(coord, "progress-dashboard")
    coord.click("#progress-table a:text('SO_TP')")
    shots(coord, "progress-unit")
    coord.click("#remind-unit")
    assert flash(coord) == "Đã xếp 1 thư đôn đốc cho Sở Tư pháp vào hàng đợi gửi."
    shots(coord, "reminder-from-dashboard")
    settle()
    assert drain().sent == 1
    settle()
    reminder = inbox.messages[-1]
    assert reminder["To"] == "hung.dv@sotp.example.vn" and reminder["Subject"].startswith("Nhắc nhở:")
    assert links_in(reminder) == [link["hung.dv@sotp.example.vn", "SO_TP"]]
    ctx = chromium.new_context(locale="vi-VN")
    page = ctx.new_page()
    watch(page, errors)
    page.goto(links_in(reminder)[0])
    answer_all(page)
    submit_sheet(page)
    ctx.close()
    settle()
    release_all()
    coord.reload()
    shots(coord, "progress-after-reminder")

    # ---- 6. Self-assessment and appraisal scores: the secretariat's workbook, filled and imported.
    scheme = get_scheme(SCHEME)
    admin.goto(f"{base_url}/index/campaigns/{campaign_id}")
    admin.click("text=Điểm tự đánh giá và thẩm định")
    book = workbook(download(admin, "a:has-text('Tải biểu mẫu Excel')"))
    sheet = book.active
    head = [c.value for c in sheet[1]]
    col = {name: head.index(name) + 1 for name in ("Mã đơn vị", "Điểm tối đa", "Điểm tự đánh giá", "Điểm thẩm định")}
    assessed = {code: {} for code in UNITS}
    for r in range(2, sheet.max_row + 1):
        unit, top = sheet.cell(r, col["Mã đơn vị"]).value, float(sheet.cell(r, col["Điểm tối đa"]).value)
        appraised = round(top * APPRAISED[unit], 2)
        sheet.cell(r, col["Điểm tự đánh giá"], min(top, round(top * (APPRAISED[unit] + 0.05), 2)))
        sheet.cell(r, col["Điểm thẩm định"], appraised)
        assessed[unit][sheet.cell(r, 3).value] = appraised
    upload(admin, "#file", "tu_danh_gia.xlsx", save(book), XLSX)
    admin.click("button:has-text('Nhập điểm')")
    n_assessed = sum(1 for leaf in scheme.leaves() if leaf.source == "assessed")
    assert flash(admin) == f"Đã nhập {3 * n_assessed} dòng cho 3 đơn vị."
    shots(admin, "self-assessment-imported")

    # A preliminary computation (CLI), before anyone looked at interference.
    before = _cli_index(runner, campaign_id, tmp_path / "truoc.xlsx")
    settle()

    # ---- 7. Interference: scan, find the shared device at Sở Nội vụ, void the unit's survey result.
    admin.goto(f"{base_url}/admin/campaigns/{campaign_id}")
    admin.click(".subnav >> text=Can thiệp")
    admin.click("button:has-text('Quét ngay')")
    scanned = flash(admin)
    assert scanned.startswith("Đã quét 7 phiếu:")
    admin.select_option("#f-unit", "SO_NV")
    admin.select_option("#f-rule", "same_device")
    admin.click("button:has-text('Lọc')")
    rows = admin.locator("#findings tbody tr")
    found = [(f.rule, f.unit_id, f.severity, len(f.response_ids or [])) for f in db.session.scalars(db.select(Finding))]
    assert rows.count() == 1, (scanned, found)
    shots(admin, "finding-listed")
    rows.first.locator("a:has-text('Xem bằng chứng')").click()
    shots(admin, "finding-evidence")
    admin.select_option("#d-action", "void")
    admin.fill("#d-reason", VOID_REASON)
    done = confirmed(admin, shots, "button:has-text('Ghi quyết định')", "sẽ là 0 trong chỉ số",  # voiding asks first
                     "button:has-text('Huỷ kết quả của')", ("void-confirm", "finding-voided"))
    assert done == "Đã ghi quyết định."
    settle()
    finding = db.session.scalar(db.select(Finding).join(Unit).where(Unit.code == "SO_NV", Finding.rule == "same_device"))
    assert finding.state == "voided" and len(finding.response_ids) == 3 and finding.unit.survey_voided
    settle()

    # ---- 8. The index: compute on the web, download the workbook, check it against hand-derived figures.
    admin.goto(f"{base_url}/index/campaigns/{campaign_id}")
    # Answering is still open (deadline in the future): the page says so and asks why compute anyway.
    assert "Thời hạn trả lời phiếu chưa kết thúc" in admin.inner_text("#readiness-issues")
    admin.fill("#reason", "Kết quả sơ bộ cho cuộc họp của Ban Chỉ đạo.")
    admin.click("button:has-text('Vẫn tính chỉ số')")
    assert flash(admin).startswith("Đã tính chỉ số")
    shots(admin, "index-run")
    ranking = _ranking_sheet(workbook(download(admin, "a:has-text('Tải bảng tính Excel')")), scheme)

    expected = _expected(scheme, assessed, {"SO_TP": ["LD_SO", "LD_PHONG"], "SO_NV": [], "H_DA": ["HDND"]})
    survey_nv = _survey_points(scheme, ["LD_SO"])
    for code, row in ranking.items():
        assert row["fields"] == pytest.approx(expected[code], abs=1e-6), code
        assert row["total"] == pytest.approx(sum(row["fields"].values()), abs=1e-6)  # total = Σ fields
        assert row["percent"] == pytest.approx(100 * row["total"] / scheme.total, abs=1e-6)
    assert ranking["SO_NV"]["total"] == pytest.approx(sum(assessed["SO_NV"].values()), abs=1e-6)  # 0 survey points
    assert VOID_REASON in ranking["SO_NV"]["note"]
    # The void scores the unit's survey 0 but keeps its responses on record (none was excluded).
    assert {code: row["responses"] for code, row in ranking.items()} == {"SO_TP": 3, "SO_NV": 3, "H_DA": 1}
    totals = {code: row["total"] for code, row in ranking.items()}
    assert {code: row["rank"] for code, row in ranking.items()} == _competition_ranks(totals)
    assert sorted(row["rank"] for row in ranking.values()) == [1, 2, 3]
    bands = sorted(scheme.bands, key=lambda b: -b.min)
    for row in ranking.values():
        assert row["band"] == next(b.code for b in bands if row["percent"] >= b.min)

    # Before the decision, the same unit had its survey points and a different place in the ranking.
    assert before["SO_NV"]["total"] - ranking["SO_NV"]["total"] == pytest.approx(sum(survey_nv.values()), abs=1e-6)
    assert before["SO_NV"]["rank"] == 1 and ranking["SO_NV"]["rank"] == 3

    # The app's own JSON (`index compute --json`) gives the same figures as the downloaded workbook.
    after = _cli_index(runner, campaign_id, tmp_path / "sau.xlsx")
    for code, row in ranking.items():
        assert after[code]["total"] == pytest.approx(row["total"], abs=1e-9)
        assert after[code]["rank"] == row["rank"] and after[code]["band"] == row["band"]
        assert after[code]["fields"] == pytest.approx(row["fields"], abs=1e-9)
        assert after[code]["voided"] == (code == "SO_NV")
    settle()
    web_run, cli_run = db.session.scalars(db.select(IndexRun).order_by(IndexRun.id)).all()[-2:]
    assert (web_run.inputs_digest, web_run.result_digest) == (cli_run.inputs_digest, cli_run.result_digest)

    assert not errors, errors
    settle()
    answered = db.session.scalars(db.select(Invitation.answered_on).where(Invitation.campaign_id == campaign_id)).all()
    assert sum(1 for day in answered if day) == 7 and len(answered) == 8  # Hùng's link about H_DA stays open


def _cli_index(runner, campaign_id: int, out) -> dict:
    import json

    result = runner.invoke(args=["index", "compute", "--campaign", str(campaign_id), "--out", str(out), "--json",
                                 "--draws", "50"])
    assert result.exit_code == 0, result.output
    return {u["code"]: u for u in json.loads(result.output)["units"]}


def _ranking_sheet(book, scheme) -> dict:
    """The "Xếp hạng" sheet as {unit: {total, percent, rank, band, fields, responses, note}}."""
    sheet = book["Xếp hạng"]
    head = [c.value for c in sheet[1]]
    at = {name: head.index(name) for name in head}
    out = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        if not row[at["Mã đơn vị"]]:
            continue
        out[row[at["Mã đơn vị"]]] = {
            "total": row[at["Tổng điểm"]], "percent": row[at["Chỉ số (%)"]], "rank": row[at["Xếp hạng"]],
            "band": row[at["Xếp loại"]], "responses": row[at["Số phiếu sử dụng"]], "note": row[at["Ghi chú"]] or "",
            "fields": {f.code: row[at[f"Lĩnh vực {f.code}"]] for f in scheme.fields}}
    return out


def _survey_points(scheme, groups: list[str]) -> dict:
    """Every answer has credit 1.0, so each survey leaf asked by one of the groups earns its maximum."""
    questionnaires = {g.code: g.questionnaire for g in scheme.groups}
    asked = {item.criterion for g in groups for item in questionnaire(SCHEME, questionnaires[g]).items
             if item.type == "choice"}
    return {leaf.code: leaf.max for leaf in scheme.leaves() if leaf.source == "survey" and leaf.code in asked}


def _expected(scheme, assessed: dict, answered_by: dict) -> dict:
    """Field points per unit: appraised scores plus the survey points of the groups that answered."""
    out = {}
    for code, groups in answered_by.items():
        survey = _survey_points(scheme, groups) if groups else {}
        fields = {f.code: 0.0 for f in scheme.fields}
        for leaf in scheme.leaves():
            fields[leaf.field_code] += assessed[code].get(leaf.code, 0.0) + survey.get(leaf.code, 0.0)
        out[code] = fields
    return out


def _competition_ranks(totals: dict) -> dict:
    """1, 2, 2, 4: one plus the number of units with a strictly higher total."""
    return {code: 1 + sum(1 for other in totals.values() if other > total + 1e-9) for code, total in totals.items()}

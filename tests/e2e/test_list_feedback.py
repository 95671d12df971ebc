"""Issue 14 point 8 in Chromium, at desktop and phone sizes: a partial upload failure is a
warning (never green) naming row and person; the list pages and searches beyond 500 people; one
row of a draft list is edited and another deleted. Screenshots in test-artifacts/lists-feedback/."""
import shutil

import pytest

from app.extensions import db
from app.lists.importer import import_list
from app.models import Respondent
from tests.browser_support import ARTIFACTS
from tests.lists.conftest import person as row, xlsx

from .conftest import person, settle, upload

pytestmark = pytest.mark.browser

PASSWORD = "Hoa-sen-thang-bay-2026"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOTS = ARTIFACTS / "lists-feedback"


@pytest.mark.parametrize("size", list(SIZES))
def test_focal_upload_feedback_paging_and_row_edits(chromium, base_url, make_campaign, make_user, size):
    campaign = make_campaign()
    unit = next(u for u in campaign.units if u.code == "SO_TP")
    email = make_user("focal", units=["SO_TP"], password=PASSWORD).email
    settle()
    folder = SHOTS / size
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    errors: list = []
    page = person(chromium, base_url, email, PASSWORD, errors)
    page.set_viewport_size(SIZES[size])
    list_url = f"{base_url}/lists/campaigns/{campaign.id}/units/SO_TP"
    page.goto(list_url)

    rows = [row(1), row(2, name="Trần Thị Bình", email="binh@@sotp.gov.vn"), row(3, name="Lê Văn Cường", group="KHONG")]
    upload(page, "#u-file", "danh_sach.xlsx", xlsx(rows), XLSX)
    page.click("button:has-text('Tải lên')")
    assert page.locator(".flash.success").count() == 0
    assert "3 dòng" in page.inner_text(".flash.warning") and "2 dòng lỗi" in page.inner_text(".flash.warning")
    lines = page.locator("section:has-text('Kết quả lần tải lên gần nhất') tbody tr").all_inner_texts()
    assert [line.split("\t")[:2] for line in lines] == [["3", "Trần Thị Bình"], ["4", "Lê Văn Cường"]]
    page.screenshot(path=str(folder / "01-partial-upload-warning.png"), full_page=True)

    import_list(campaign, unit, "lon.xlsx", xlsx([row(i) for i in range(1, 651)]), mode="replace")
    settle()
    page.goto(list_url)
    assert "Trang 1/7" in page.inner_text("nav.pager")
    page.click("nav.pager >> text=Trang sau")
    assert "Trang 2/7" in page.inner_text("nav.pager")
    page.fill("#q", "nguoi640@")
    page.click("button:has-text('Tìm')")
    assert page.locator("section:has-text('Danh sách đối tượng') tbody tr").count() == 1
    page.screenshot(path=str(folder / "02-search.png"), full_page=True)

    page.click("a:has-text('Sửa')")
    page.fill("#p-position", "Trưởng phòng Pháp chế")
    page.click("button:has-text('Lưu')")
    assert "Đã sửa dòng" in page.inner_text(".flash.success")
    settle()
    edited = db.session.scalar(db.select(Respondent).where(Respondent.email == "nguoi640@sotp.gov.vn"))
    assert edited.position == "Trưởng phòng Pháp chế"
    page.fill("#q", "nguoi641@")
    page.click("button:has-text('Tìm')")
    page.click("tbody button:has-text('Xoá')")
    assert "Đã xoá" in page.inner_text(".flash.success")
    settle()
    assert db.session.scalar(db.select(db.func.count(Respondent.id)).where(Respondent.unit_id == unit.id)) == 649
    page.screenshot(path=str(folder / "03-row-deleted.png"), full_page=True)
    assert errors == []

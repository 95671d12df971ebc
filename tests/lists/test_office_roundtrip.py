"""A real office-suite round trip with Debian's LibreOffice, headless (issue 15 point 5 a, b):
the list template filled and saved as .xlsx, .ods and CSV is accepted; the error workbook opened
in LibreOffice, fixed and saved comes back without a value the user never typed."""
import io

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.models import Respondent
from tests.conftest import login
from tests.lists.test_web import _upload, _url
from tests.office_support import convert

pytestmark = pytest.mark.office

PEOPLE = [
    [1, "Nguyễn Thị Thúy", "Phó Giám đốc", "Sở Tư pháp", "LD_SO", "thuy@sotp.gov.vn", "", "", ""],
    [2, "Đặng Kỳ Ý", "Chuyên viên", "Sở Tư pháp", "LD_PHONG", "y.dk@sotp.gov.vn", "0912 000 222", "", ""],
    [3, "Lý Văn Mỹ", "", "", "NGUOI_DAN", "", "0912000333", "Tổ 5, phường Hồng Gai", ""],
]


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    return tmp_path_factory.mktemp("lo-profile")


def _people(unit):
    return db.session.scalars(db.select(Respondent).where(Respondent.unit_id == unit.id)
                              .order_by(Respondent.source_row)).all()


def _template(client, campaign, path, rows):
    """The unit's own template, downloaded and filled as a clerk would (cells typed as text)."""
    wb = load_workbook(io.BytesIO(client.get(_url(campaign, "SO_TP", "/template.xlsx")).data))
    ws = wb["Danh sách"]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c).value = value if value != "" else None
    wb.save(path)
    return path


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "csv"])
def test_template_saved_by_libreoffice_is_accepted(client, campaign, unit, make_user, tmp_path, profile, fmt):
    login(client, make_user("focal", units=["SO_TP"]))
    filled = _template(client, campaign, tmp_path / "danh_sach.xlsx", PEOPLE)
    saved = convert(filled, fmt, profile)
    html = _upload(client, campaign, "SO_TP", saved.read_bytes(), name=saved.name).get_data(as_text=True)
    assert "nhập 3 người" in html and "0 dòng lỗi" in html, html
    people = _people(unit)
    assert [p.full_name for p in people] == ["Nguyễn Thị Thúy", "Đặng Kỳ Ý", "Lý Văn Mỹ"]
    assert [p.phone for p in people] == [None, "0912000222", "0912000333"]
    assert people[2].address == "Tổ 5, phường Hồng Gai"


def test_libreoffice_western_csv_is_refused_and_the_list_kept(client, campaign, unit, make_user, tmp_path, profile):
    """CSV saved in Windows-1252 (a Western default) has lost the Vietnamese letters: refused, saying how
    to fix it, and the stored list stays."""
    login(client, make_user("focal", units=["SO_TP"]))
    filled = _template(client, campaign, tmp_path / "danh_sach.xlsx", PEOPLE)
    _upload(client, campaign, "SO_TP", filled.read_bytes(), name="danh_sach.xlsx")
    saved = convert(filled, "csv-1252", profile)
    assert b"H? v\xe0 t\xean" in saved.read_bytes()  # the letters are gone already
    html = _upload(client, campaign, "SO_TP", saved.read_bytes(), name=saved.name).get_data(as_text=True)
    assert "Tệp CSV không phải UTF-8: hãy lưu lại dạng CSV UTF-8" in html and "Thiếu cột" not in html
    assert len(_people(unit)) == 3


def test_office_suite_date_in_an_address_is_warned(client, campaign, unit, make_user, tmp_path, profile):
    """A CSV with the address "12/3" opened in the office suite (special numbers detected) turns
    it into a date; uploading what it saved warns about it."""
    login(client, make_user("focal", units=["SO_TP"]))
    text = ("STT,Họ và tên,Chức vụ,Đơn vị công tác,Nhóm đối tượng,Email,Số điện thoại,Địa chỉ,Đơn vị được đánh giá\n"
            "1,Lý Văn Mỹ,,,NGUOI_DAN,,0912000333,12/3,\n")
    source = tmp_path / "dan.csv"
    source.write_text(text, encoding="utf-8")
    saved = convert(source, "xlsx", profile, infilter="Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true")
    html = _upload(client, campaign, "SO_TP", saved.read_bytes(), name=saved.name).get_data(as_text=True)
    assert 'class="flash warning"' in html and "chứa một ngày tháng" in html, html
    assert _people(unit)[0].address.count("/") == 2  # kept as d/m/yyyy text, flagged above


@pytest.mark.parametrize("fmt, mode", [("ods", "replace"), ("xlsx", "append"), ("csv", "append")])
def test_error_workbook_fixed_in_libreoffice_goes_back(client, campaign, unit, make_user, tmp_path, profile, fmt, mode):
    login(client, make_user("focal", units=["SO_TP"]))
    rows = PEOPLE + [
        [4, "Trần Văn Bốn", "", "", "NGUOI_DAN", "", "912000444", "Tổ <1>", ""],  # phone typed without its 0
        [5, "Hồ Sỹ Năm", "Chuyên viên", "Sở Tư pháp", "LD_PHONG", "nam@@sotp", "", "", ""],
        [6, "Vũ Thị Sáu", "", "", "NGUOI_DAN", "", "0912 000 666", "Ấp <3>", ""],
    ]
    filled = _template(client, campaign, tmp_path / "danh_sach.xlsx", rows)
    html = _upload(client, campaign, "SO_TP", filled.read_bytes(), name="danh_sach.xlsx").get_data(as_text=True)
    assert "nhập 3 người" in html and "3 dòng lỗi" in html
    errors = tmp_path / "loi_danh_sach.xlsx"
    errors.write_bytes(client.get(_url(campaign, "SO_TP", "/errors.xlsx")).data)
    opened = convert(errors, "xlsx", profile)  # the clerk opens it in LibreOffice and saves
    wb = load_workbook(opened)
    ws = wb["Danh sách"]
    header = [c.value for c in ws[1]][:11]
    assert header[-2:] == ["Lỗi", "Dòng gốc"]
    by_origin = {ws.cell(row=r, column=11).value: r for r in range(2, 5)}
    assert set(by_origin) == {5, 6, 7}
    assert ws.cell(row=by_origin[5], column=7).value == "912000444"  # never 912000444.0
    ws.cell(row=by_origin[5], column=8).value = "Tổ 1"
    ws.cell(row=by_origin[7], column=8).value = "Ấp 3"  # row 6 (e-mail) is left wrong
    wb.save(tmp_path / "sua_loi.xlsx")
    fixed = convert(tmp_path / "sua_loi.xlsx", fmt, profile)
    html = _upload(client, campaign, "SO_TP", fixed.read_bytes(), name=fixed.name, mode=mode).get_data(as_text=True)
    assert "nhập 2 người" in html and "1 dòng lỗi" in html, html
    assert ".0" not in html.split("Kết quả lần tải lên gần nhất")[1]
    people = _people(unit)
    assert len(people) == 5 and "0912000444" in [p.phone for p in people]
    second = load_workbook(io.BytesIO(client.get(_url(campaign, "SO_TP", "/errors.xlsx")).data))["Danh sách"]
    assert [c.value for c in second[1]][:11][-2:] == ["Lỗi", "Dòng gốc"]
    assert second.cell(row=2, column=11).value == 6 and second.cell(row=2, column=6).value == "nam@@sotp"

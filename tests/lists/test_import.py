"""The import service: normalisation, row errors, duplicates and priority, replace/append."""
import pytest

from app.extensions import db
from app.lists.importer import import_list
from app.lists.state import ListError
from app.models import AuditEntry, Group, Respondent, RespondentList, RespondentTarget
from tests.lists.conftest import HEADERS, csv_bytes, person, xlsx


def _people(unit):
    return db.session.scalars(db.select(Respondent).where(Respondent.unit_id == unit.id).order_by(Respondent.id)).all()


def _group(campaign, code):
    return db.session.scalar(db.select(Group).where(Group.campaign_id == campaign.id, Group.code == code))


def test_normalises_names_emails_phones(campaign, unit):
    rows = [[1, "  NGUYỄN   VĂN ĐỨC ", "Phó Giám đốc", "Sở Tư pháp", "LD_SO", " Duc.NV@SoTP.Gov.VN ", "0912.52.14.64", "", ""],
            [2, "trần thị bình", "Trưởng phòng", "Sở Tư pháp", "ld_so", "binh@sotp.gov.vn", "+84 913 000 111", "", ""],
            # decomposed (NFD) Vietnamese text is stored as NFC
            [3, "Le\u0302 Va\u0306n Hu\u0300ng", "", "Sở Tư pháp", "Lãnh đạo sở, ban, ngành", "hung@sotp.gov.vn",
             84914222333, "", ""]]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    db.session.commit()
    assert report["errors"] == [] and report["imported"] == 3
    people = _people(unit)
    assert [p.full_name for p in people] == ["Nguyễn Văn Đức", "Trần Thị Bình", "Lê Văn Hùng"]
    assert [p.email for p in people] == ["duc.nv@sotp.gov.vn", "binh@sotp.gov.vn", "hung@sotp.gov.vn"]
    assert [p.phone for p in people] == ["0912521464", "0913000111", "0914222333"]
    assert [p.source_row for p in people] == [2, 3, 4]
    targets = db.session.scalars(db.select(RespondentTarget.unit_id)).all()
    assert targets == [unit.id] * 3


@pytest.mark.parametrize("value", ["0912.52.14.64", "0912 521 464", "+84 912 521 464", "84912521464", "912521464"])
def test_phone_forms_are_the_same_number(value):
    from app.lists.normalise import phone

    assert phone(value) == "0912521464"


def test_bad_rows_are_reported_and_good_rows_kept(campaign, unit):
    rows = [person(1),
            [2, "Nguyễn Văn A", "", "Sở Tư pháp", "LD_SO", "nguyen van a@gmail", "", "", ""],
            [3, "Trần B", "", "Sở Tư pháp", "LD_SO", "b@sotp.gov.vn", "09l2 abc 464", "", ""],
            [4, "Lê C", "", "Sở Tư pháp", "KHONG_CO", "c@sotp.gov.vn", "", "", ""],
            [5, "<script>alert(1)</script>", "", "Sở Tư pháp", "LD_SO", "d@sotp.gov.vn", "", "", ""],
            [6, "Phạm D", "", "Sở Tư pháp", "LD_SO", "", "0912000111", "", ""],
            [7, "Người Dân", "", "", "NGUOI_DAN", "", "", "Tổ 5", ""],
            [8, "Vũ E", "", "Sở Tư pháp", "LD_SO", "e@sotp.gov.vn", "", "", "KHONG_CO;SO_NV"],
            [9, "", "", "Sở Tư pháp", "", "f@sotp.gov.vn", "", "", ""],
            person(10)]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    db.session.commit()
    reasons = {e["row"]: e["reason"] for e in report["errors"]}
    assert set(reasons) == {3, 4, 5, 6, 7, 8, 9, 10}
    assert "Thư điện tử 'nguyen van a@gmail' không hợp lệ" in reasons[3]
    assert "có chữ cái" in reasons[4]
    assert "Không có nhóm đối tượng 'KHONG_CO'" in reasons[5] and "NGUOI_DAN" in reasons[5]
    assert "< hoặc >" in reasons[6]
    assert "bắt buộc có thư điện tử" in reasons[7]
    assert "phải có số điện thoại" in reasons[8]
    assert "KHONG_CO" in reasons[9] and "SO_NV" not in reasons[9]
    assert "Thiếu họ và tên" in reasons[10] and "Thiếu nhóm đối tượng" in reasons[10]
    assert report["imported"] == 2 and len(_people(unit)) == 2
    assert len(report["bad_rows"]) == 8 and report["bad_rows"][0]["origin"] == 3


def test_citizen_without_email_needs_phone_and_gets_the_unit_enumerator(campaign, unit, make_user):
    enumerator = make_user("enumerator", units=["SO_TP"])
    rows = [[1, "Hoàng Thị Lan", "", "", "NGUOI_DAN", "", "0987 654 321", "Tổ 3, phường Hồng Gai", ""]]
    report = import_list(campaign, unit, "dan.csv", csv_bytes(rows))
    db.session.commit()
    assert report["imported"] == 1
    (p,) = _people(unit)
    assert p.email is None and p.phone == "0987654321" and p.enumerator_id == enumerator.id


def test_formula_is_stored_as_text(campaign, unit):
    formula = '=HYPERLINK("http://evil.example","Bấm vào")'
    rows = [[1, "Nguyễn Văn A", formula, "Sở Tư pháp", "LD_SO", "a@sotp.gov.vn", "", "", ""]]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    db.session.commit()
    assert report["imported"] == 1
    assert _people(unit)[0].position == formula


def test_legacy_encodings_are_detected(campaign, unit):
    rows = [[1, "NguyÔn V¨n An", "", "Së T­ ph¸p", "LD_SO", "a@sotp.gov.vn", "", "", ""],
            [2, "Nguyeãn Vaên Bình", "", "Sôû Tö phaùp", "LD_SO", "b@sotp.gov.vn", "", "", ""],
            [3, "Hoàng Thị Hoà", "", "Sở Tư pháp", "LD_SO", "c@sotp.gov.vn", "", "", ""]]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    reasons = {e["row"]: e["reason"] for e in report["errors"]}
    assert set(reasons) == {2, 3}
    assert "TCVN3" in reasons[2] and "VNI" in reasons[3]
    assert report["imported"] == 1


@pytest.mark.parametrize("kind", ["utf8", "bom", "cp1258", "semicolon"])
def test_csv_encodings_and_separators(campaign, unit, kind):
    rows = [person(1), [2, "Trần Thị Hằng", "Trưởng phòng", "Sở Tư pháp", "LD_PHONG", "hang@sotp.gov.vn", "0912 521 464", "", ""]]
    data = {"utf8": lambda: csv_bytes(rows), "bom": lambda: csv_bytes(rows, bom=True),
            "cp1258": lambda: csv_bytes(rows, encoding="cp1258", sep=";"),
            "semicolon": lambda: csv_bytes(rows, sep=";")}[kind]()
    report = import_list(campaign, unit, "ds.csv", data)
    assert report["errors"] == [] and report["imported"] == 2
    assert _people(unit)[1].full_name == "Trần Thị Hằng" and _people(unit)[1].phone == "0912521464"


def test_duplicates_in_file_priority_and_merge(campaign, unit):
    rows = [person(1, group="LD_SO", email="x@sotp.gov.vn", name="Đỗ Văn X"),
            person(2, group="HDND", email="X@SOTP.gov.vn", name="Đỗ Văn X"),     # same person, higher group
            person(3, group="LD_PHONG", email="y@sotp.gov.vn", phone="0912521464"),
            person(4, group="NGUOI_DAN", email="", phone="+84 912 521 464"),      # same by phone, no e-mail
            person(5, group="LD_SO", email="z@sotp.gov.vn", target="SO_TP"),
            person(6, group="LD_SO", email="z@sotp.gov.vn", target="SO_NV"),      # same person, another unit: merged
            person(7, group="NGUOI_DAN", email="tam@gmail.com", phone="", name="Lê Văn Tám", org="Phường 1"),
            person(8, group="NGUOI_DAN", email="", phone="0912 000 999", name="LÊ VĂN TÁM", org="phường 1"),
            person(9, group="NGUOI_DAN", email="", phone="0912 000 888", name="Lê Văn Tám", org="Phường 2")]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    db.session.commit()
    assert report["errors"] == []
    dups = {d["row"]: d["reason"] for d in report["duplicates"]}
    assert "HDND" in dups[2] and "LD_SO" in dups[2]  # the LD_SO entry (row 2) loses to HDND (row 3)
    assert "dòng 4" in dups[5]                         # same phone as row 4
    assert "dòng 8" in dups[9]                         # same name + organisation as row 8
    assert set(dups) == {2, 5, 9} and report["merged"] == 1  # rows 6 and 7: one person, two assessed units
    by_email = {p.email: p for p in _people(unit)}
    assert by_email["x@sotp.gov.vn"].group_id == _group(campaign, "HDND").id
    z = by_email["z@sotp.gov.vn"]
    assert sorted(t.unit.code for t in z.targets) == ["SO_NV", "SO_TP"]
    assert len(_people(unit)) == 5


def test_duplicate_against_another_units_list(campaign, unit):
    other = next(u for u in campaign.units if u.code == "SO_NV")
    import_list(campaign, other, "nv.xlsx", xlsx([person(1, email="chung@gov.vn")]))
    report = import_list(campaign, unit, "tp.xlsx", xlsx([person(1, email="Chung@gov.vn"), person(2)]))
    db.session.commit()
    assert report["imported"] == 1 and report["duplicates"][0]["row"] == 2
    assert "đơn vị khác" in report["duplicates"][0]["reason"]


def test_append_dedupes_against_stored_and_promotes_priority(campaign, unit):
    import_list(campaign, unit, "a.xlsx", xlsx([person(1, group="LD_SO", email="hd@gov.vn"), person(2)]))
    report = import_list(campaign, unit, "b.xlsx", xlsx([person(1, group="HDND", email="hd@gov.vn"),
                                                          person(2), person(3)]), mode="append")
    db.session.commit()
    assert report["imported"] == 1 and len(report["duplicates"]) == 2
    hd = db.session.scalar(db.select(Respondent).where(Respondent.email == "hd@gov.vn"))
    assert hd.group_id == _group(campaign, "HDND").id
    assert len(_people(unit)) == 3


def test_replace_leaves_no_orphans(campaign, unit):
    import_list(campaign, unit, "a.xlsx", xlsx([person(i, target="SO_TP;SO_NV") for i in range(1, 6)]))
    db.session.commit()
    report = import_list(campaign, unit, "b.xlsx", xlsx([person(i) for i in range(10, 13)]), mode="replace")
    db.session.commit()
    assert report["replaced"] == 5 and report["imported"] == 3
    assert db.session.scalar(db.select(db.func.count(Respondent.id))) == 3
    assert db.session.scalar(db.select(db.func.count(RespondentTarget.id))) == 3
    orphans = db.session.scalar(db.select(db.func.count(RespondentTarget.id)).where(
        ~RespondentTarget.respondent_id.in_(db.select(Respondent.id))))
    assert orphans == 0
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "list.upload")) == 2


@pytest.mark.parametrize("name,data,message", [
    ("ds.pdf", b"%PDF-1.4 not a table", "không phải bảng tính"),
    ("ds.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "mật khẩu"),
    ("ds.xlsx", b"PK\x03\x04 broken zip", "bị hỏng"),
    ("ds.csv", b"", "rỗng"),
])
def test_unreadable_files_write_nothing(campaign, unit, name, data, message):
    with pytest.raises(ListError, match=message):
        import_list(campaign, unit, name, data)
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Respondent.id))) == 0


def test_empty_sheet_and_header_only(campaign, unit):
    from openpyxl import Workbook
    import io

    buf = io.BytesIO()
    Workbook().save(buf)
    with pytest.raises(ListError, match="trống"):
        import_list(campaign, unit, "trong.xlsx", buf.getvalue())
    with pytest.raises(ListError, match="không có dòng dữ liệu"):
        import_list(campaign, unit, "tieude.xlsx", xlsx([]))


def test_missing_and_renamed_headers_are_named(campaign, unit):
    headers = [h if h != "Số điện thoại" else "Điện thoại di động" for h in HEADERS]
    with pytest.raises(ListError) as exc:
        import_list(campaign, unit, "ds.xlsx", xlsx([person(1)], headers=headers))
    assert "Số điện thoại" in str(exc.value) and "Điện thoại di động" in str(exc.value)
    headers = [h for h in HEADERS if h != "Email"]
    with pytest.raises(ListError, match="Thiếu cột: Email"):
        import_list(campaign, unit, "ds.xlsx", xlsx([person(1)[:5]], headers=headers))


def test_file_over_the_limit_is_refused(app, campaign, unit):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    with pytest.raises(ListError, match="vượt giới hạn"):
        import_list(campaign, unit, "ds.csv", csv_bytes([person(i) for i in range(40)]))


def test_error_workbook_round_trip(campaign, unit):
    """The rejected rows come back with a Lỗi column; fixed, they are appended."""
    from openpyxl import load_workbook
    import io

    from app.lists.downloads import error_workbook

    rows = [person(1), [2, "Nguyễn Văn B", "", "Sở Tư pháp", "LD_SO", "b@@gov", "", "", ""]]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    db.session.commit()
    wb = load_workbook(io.BytesIO(error_workbook(campaign, unit, report)))
    ws = wb.active
    values = [[c.value for c in r] for r in ws.iter_rows(max_row=2)]
    assert values[0][-2:] == ["Lỗi", "Dòng gốc"] and values[1][-1] == 3 and "b@@gov" in values[1][-2]
    assert values[1][0] == 2 and values[1][5] == "b@@gov"  # STT stays an integer
    ws.cell(row=2, column=6).value = "b@sotp.gov.vn"
    buf = io.BytesIO()
    wb.save(buf)
    again = import_list(campaign, unit, "loi.xlsx", buf.getvalue(), mode="append")
    db.session.commit()
    assert again["errors"] == [] and again["imported"] == 1 and len(_people(unit)) == 2
    assert db.session.scalar(db.select(RespondentList.last_upload).where(RespondentList.unit_id == unit.id))["imported"] == 1


def test_numeric_phone_cells_keep_their_number(campaign, unit):
    rows = [person(1, group="NGUOI_DAN", email="", phone=912521464.0),
            person(2, group="NGUOI_DAN", email="", phone=84913000111)]
    report = import_list(campaign, unit, "ds.xlsx", xlsx(rows))
    assert report["errors"] == []
    assert sorted(p.phone for p in _people(unit)) == ["0912521464", "0913000111"]


def test_replace_with_no_good_row_keeps_the_stored_list(campaign, unit):
    import_list(campaign, unit, "a.xlsx", xlsx([person(1), person(2)]))
    report = import_list(campaign, unit, "b.xlsx", xlsx([person(3, email="sai@@"), person(4, group="XX")]))
    db.session.commit()
    assert report["replaced"] == 0 and len(report["errors"]) == 2
    assert len(_people(unit)) == 2

"""Issue 15 §5(c): the index workbook printed by a real office suite (LibreOffice, headless).

Every sheet prints one page wide (each printed page of a table carries the table's first
column, so no page holds only columns cut off on the right), the whole workbook of a 40-unit
campaign stays within PAGE_BUDGET pages, and the ranking chart's page names every unit in
full. The demo campaign's PDF is kept under test-artifacts/ for people to look at.
"""
import shutil

import pytest

from app.admin.demo import seed as demo_seed
from app.extensions import db
from app.index.services import compute_run, workbook_for
from tests.office_support import ARTIFACTS, check_printout, to_pdf

#: Pages for a 40-unit campaign of the PAR_PROVINCE scheme (7 fields, 5 groups): ranking 1–2, its chart 1,
#: 7 field sheets 1–2 each, profile + chart 2, survey detail and assessments ~ 1 page per 40 lines
#: (40 × 24 survey rows, 40 × 37 assessed rows), decisions, robustness, method ~ 5.
PAGE_BUDGET = 150
GROUPS = ("HDND", "LD_SO", "LD_PHONG", "LD_HUYEN", "NGUOI_DAN")

pytestmark = pytest.mark.office


def _forty_units(make_campaign, make_responses):
    kinds = [("SO", "Sở {} tỉnh Quảng Ninh", "department"), ("H", "Ủy ban nhân dân huyện {}", "district")]
    names = ["Tài nguyên và Môi trường", "Lao động - Thương binh và Xã hội", "Văn hóa, Thể thao và Du lịch",
             "Nông nghiệp và Phát triển nông thôn", "Thông tin và Truyền thông", "Giao thông vận tải",
             "Khoa học và Công nghệ", "Kế hoạch và Đầu tư", "Giáo dục và Đào tạo", "Công Thương",
             "Tiên Yên", "Đầm Hà", "Hải Hà", "Bình Liêu", "Ba Chẽ", "Vân Đồn", "Cô Tô", "Đông Triều",
             "Quảng Yên", "Hoành Bồ"]
    units = []
    for i in range(40):
        prefix, pattern, kind = kinds[i % 2]
        units.append((f"{prefix}{i:02d}", pattern.format(names[i % 20]) + f" số {i + 1}", kind))
    campaign = make_campaign(units=units)
    for i, (code, _, _) in enumerate(units):
        for g in GROUPS[:2]:
            make_responses(campaign, code, g, "abcde"[i % 5], n=3)
    return campaign, units


def _printed(campaign, path, draws: int):
    """Compute the index, write its workbook to `path`, print it to PDF; returns (pdf, checked pages)."""
    comp = compute_run(campaign)
    db.session.commit()
    path.write_bytes(workbook_for(campaign, comp, draws=draws))
    pdf = to_pdf(path)
    return pdf, check_printout(path, pdf)


def test_forty_units_print_one_page_wide_within_budget(app, office, make_campaign, make_responses, tmp_path):
    campaign, units = _forty_units(make_campaign, make_responses)
    pdf, pages = _printed(campaign, tmp_path / "chi-so-40.xlsx", draws=20)
    assert len(pages) <= PAGE_BUDGET, len(pages)
    chart_page = next(p for p in pages if p["first"] == "Chỉ số (%) theo đơn vị")
    missing = [name for _, name, _ in units if name not in chart_page["text"]]
    assert not missing, missing
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "chi-so-40-don-vi.pdf")


def test_long_rankings_get_one_chart_per_page(app, office, make_campaign, make_responses, tmp_path, monkeypatch):
    """Past BARS_PER_PAGE units the ranking chart continues on the next page, still naming everyone."""
    from app.index import downloads

    monkeypatch.setattr(downloads, "BARS_PER_PAGE", 15)
    campaign, units = _forty_units(make_campaign, make_responses)
    _pdf, pages = _printed(campaign, tmp_path / "chi-so-40.xlsx", draws=5)
    charts = [p for p in pages if p["first"].startswith("Chỉ số (%) theo đơn vị (")]
    assert [p["first"].rsplit("(", 1)[1] for p in charts] == ["1–15)", "16–30)", "31–40)"]  # 3 sheets, 3 pages
    assert not [name for _, name, _ in units if not any(name in p["text"] for p in charts)]


def test_demo_campaign_pdf_is_kept(app, office, tmp_path):
    info = demo_seed()
    db.session.commit()
    from app.models import Campaign

    campaign = db.session.get(Campaign, info["campaign_id"])
    pdf, pages = _printed(campaign, tmp_path / "chi-so-demo.xlsx", draws=50)
    assert len(pages) <= PAGE_BUDGET
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(pdf, ARTIFACTS / "chi-so-demo.pdf")

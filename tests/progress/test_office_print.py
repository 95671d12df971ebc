"""Issue 15: the progress export printed by LibreOffice — one page wide, few pages, Vietnamese unit kinds."""
import pytest

from app.admin.demo import seed as demo_seed
from app.extensions import db
from app.models import Campaign
from app.progress import downloads
from app.progress.services import campaign_progress
from tests.office_support import ARTIFACTS, check_printout, to_pdf

pytestmark = pytest.mark.office
PAGE_BUDGET = 6  #: demo campaign: 12 units × (1 + 5 groups) rows + totals, and the information sheet


def test_demo_progress_export_prints_one_page_wide(app, office, tmp_path):
    info = demo_seed()
    db.session.commit()
    progress = campaign_progress(db.session.get(Campaign, info["campaign_id"]))
    xlsx = tmp_path / "tien-do.xlsx"
    xlsx.write_bytes(downloads.to_xlsx(progress))
    pdf = to_pdf(xlsx)
    pages = check_printout(xlsx, pdf)
    assert len(pages) <= PAGE_BUDGET, len(pages)
    text = " ".join(p["text"] for p in pages)
    assert "Sở, ban, ngành" in text and "Cấp huyện" in text
    assert " department " not in f" {text} " and " district " not in f" {text} "
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "tien-do-demo.pdf").write_bytes(pdf.read_bytes())

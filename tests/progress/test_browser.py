"""A coordinator in headless Chromium: log in, open the dashboard, remind one unit, see the outbox grow.

Screenshot in test-artifacts/progress-dashboard.png (git-ignored).
"""
import pytest

from app.extensions import db
from app.models import Heartbeat, utcnow
from tests.browser_support import ARTIFACTS, sign_in

pytestmark = pytest.mark.browser


def test_coordinator_reminds_one_unit_and_sees_the_outbox_count_change(known, make_user, base_url, chromium):
    make_user("coordinator", email="theodoi@example.gov.vn", password="mat-khau-theo-doi")
    db.session.add(Heartbeat(name="jobs", at=utcnow(), host="test", pid=1, leader=True))
    db.session.commit()
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    sign_in(page, base_url, "theodoi@example.gov.vn", "mat-khau-theo-doi")
    dashboard = f"{base_url}/progress/campaigns/{known.campaign.id}"
    page.goto(dashboard)
    assert page.inner_text("#progress-table tfoot").split()[2] == "14"
    before = int(page.inner_text("#outbox-queued"))
    page.click("#progress-table a:text('SO_TP')")
    page.click("#remind-unit")
    assert "thư đôn đốc cho Sở Tư pháp" in page.inner_text(".flash.success")
    page.goto(dashboard)
    after = int(page.inner_text("#outbox-queued"))
    assert after > before
    # The live bar: a batch is waiting and the runner is alive, so the bar is shown.
    assert page.is_visible("#outbox-bar")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "progress-dashboard.png"), full_page=True)
    assert not [e for e in errors if "Content Security Policy" in e]

"""A coordinator in headless Chromium: log in, open the dashboard, remind one unit, see the outbox grow.

Screenshot in test-artifacts/progress-dashboard.png (git-ignored).
"""
import pytest

from app.extensions import db
from app.models import Heartbeat, utcnow
from tests.browser_support import ARTIFACTS, chromium_browser
from tests.browser_support import live_server as serve

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1 (random port) in a thread, against the test database."""
    with serve(app) as url:
        yield url


def test_coordinator_reminds_one_unit_and_sees_the_outbox_count_change(known, make_user, live_server, chromium):
    make_user("coordinator", email="theodoi@example.gov.vn", password="mat-khau-theo-doi")
    db.session.add(Heartbeat(name="jobs", at=utcnow(), host="test", pid=1, leader=True))
    db.session.commit()
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server}/login")
    page.fill("#email", "theodoi@example.gov.vn")
    page.fill("#password", "mat-khau-theo-doi")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{live_server}/")
    dashboard = f"{live_server}/progress/campaigns/{known.campaign.id}"
    page.goto(dashboard)
    assert page.inner_text("#progress-table tfoot").split()[2] == "14"
    before = int(page.inner_text("#outbox-queued"))
    page.click(f"#progress-table a:text('SO_TP')")
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

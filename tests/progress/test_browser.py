"""A coordinator in headless Chromium: log in, open the dashboard, remind one unit, see the outbox grow.

Screenshot in test-artifacts/progress-dashboard.png (git-ignored).
"""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Heartbeat, utcnow

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1 (random port) in a thread, against the test database."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


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

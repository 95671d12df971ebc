"""Shared helpers of the browser tests: Debian's Chromium through Playwright, the app on a
loopback port in a thread, and a loopback SMTP server that keeps what it receives. The fixtures
built on them (chromium, base_url, smtp_inbox) are in tests/conftest.py.

Never downloads a browser: a missing /usr/bin/chromium skips the test, or fails it when
REQUIRE_BROWSER=1 (as in .ci/run).
"""
import os
import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@contextmanager
def chromium_browser():
    """A headless Chromium browser (skips, or fails under REQUIRE_BROWSER=1, when it is missing)."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page, base_url: str, email: str, password: str):
    """Sign a page in through the real login form; returns the page, on the home page."""
    page.goto(f"{base_url}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base_url}/")
    return page


@contextmanager
def threaded_server(app):
    """The app on 127.0.0.1 (random port) in a thread, against the test database; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


class Inbox:
    """aiosmtpd handler keeping every message it receives (parsed, with its envelope)."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        msg.envelope_rcpt = list(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def inbox_server():
    """A real SMTP server on loopback (no TLS, no login) keeping every parsed message; yields (inbox, port)."""
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()

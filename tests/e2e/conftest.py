"""Page helpers and screenshots of the whole-flow test (browser, live server and loopback SMTP: tests/conftest.py)."""
import io
import re
import shutil

import pytest
from openpyxl import load_workbook

from app.extensions import db
from tests.browser_support import ARTIFACTS, sign_in

SHOTS = ARTIFACTS / "e2e"
LINK_RE = re.compile(r"(http://127\.0\.0\.1:\d+/s/[A-Za-z0-9._-]+)(?![A-Za-z0-9._/-])")  # not the /khong-phai-toi link


class Shots:
    """Numbered full-page screenshots of every step: test-artifacts/e2e/NN-step.png."""

    def __init__(self):
        shutil.rmtree(SHOTS, ignore_errors=True)
        SHOTS.mkdir(parents=True)
        self.n = 0

    def __call__(self, page, name: str) -> None:
        self.n += 1
        page.screenshot(path=str(SHOTS / f"{self.n:02d}-{name}.png"), full_page=True)


@pytest.fixture
def shots():
    return Shots()


def settle():
    """End the test's own transaction: on SQLite a reader left open would block the server's writes,
    and the next read must see what the server committed."""
    db.session.commit()
    db.session.expire_all()


def person(browser, base_url: str, email: str, password: str, errors: list):
    """A new browser context (one person, one device) signed in through the real login form."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    watch(page, errors)
    return sign_in(page, base_url, email, password)


def watch(page, errors: list) -> None:
    """Collect console errors (CSP violations above all) and failed responses of the page.

    Resource failures are taken from the responses (with their address); only the browser's own
    /favicon.ico probe may fail (the product has no icon)."""
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)


def flash(page, kind: str = "success") -> str:
    return page.inner_text(f".flash.{kind}")


def confirmed(page, shots, ask: str, consequence: str, confirm: str, names: tuple[str, str]) -> str:
    """A step that asks first: click `ask`, see `consequence` on the confirmation page, click `confirm`;
    a screenshot of both pages (`names`); returns the success message."""
    page.click(ask)
    assert consequence in page.inner_text("#consequences")
    shots(page, names[0])
    page.click(confirm)
    message = flash(page)
    shots(page, names[1])
    return message


def download(page, click_selector: str) -> bytes:
    """Click a link that downloads a file (Playwright expect_download) and return its bytes."""
    with page.expect_download() as info:
        page.click(click_selector)
    return open(info.value.path(), "rb").read()


def workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def save(wb) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def upload(page, selector: str, name: str, data: bytes, mime: str) -> None:
    page.set_input_files(selector, files=[{"name": name, "mimeType": mime, "buffer": data}])


def links_in(message) -> list[str]:
    """The /s/<token> links in the text part of a received mail."""
    return LINK_RE.findall(message.get_body(preferencelist=("plain",)).get_content())


def answer_all(page) -> None:
    """The first option of every question (credit 1.0 on every scale of the scheme), and a comment."""
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label.option").first.click()
    for area in page.locator("textarea").all():
        area.fill("Đề nghị tiếp tục rút ngắn thời gian giải quyết hồ sơ.")


def submit_sheet(page) -> None:
    page.get_by_role("button", name="Gửi phiếu").click()
    page.wait_for_load_state()
    assert "Cảm ơn Ông/Bà đã trả lời phiếu khảo sát" in page.content()

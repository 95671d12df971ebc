"""Each role's screens in Chromium at desktop (1280×800) and phone (390×844) size (issue 14).

The demo campaign (`demo seed`) is loaded into the test database; screenshots go to
test-artifacts/screens/, and axe-core fails the test on any serious or critical violation of
any page reachable by each role.
"""
import pytest

from app.admin.demo import ACCOUNTS, seed
from app.extensions import db
from app.mailing.tokens import make_token
from app.models import Invitation

from .screens_support import SIZES, check_page, crawl, signed_in

pytestmark = pytest.mark.browser
ROLES = {role: email for email, role, _units in ACCOUNTS if email != "daumoi.tienyen@demo.parsurvey.vn"}


@pytest.fixture
def demo(app):
    facts = seed()
    db.session.commit()
    return facts


@pytest.fixture
def base_url(demo, base_url):
    """The shared live server (tests/conftest.py), over the demo campaign seeded first."""
    return base_url


def _open_link(app) -> str:
    """The token of an invitation not yet answered (a respondent's own link)."""
    invitation = db.session.scalar(db.select(Invitation).where(Invitation.answered_on.is_(None))
                                   .order_by(Invitation.id).limit(1))
    token = make_token(invitation)
    db.session.commit()
    return token


def test_every_page_of_every_role_passes_axe_at_both_sizes(app, chromium, base_url):
    problems: list = []
    token = _open_link(app)
    for role, email in ROLES.items():
        page = signed_in(chromium, base_url, email)
        urls = crawl(page, base_url)
        assert len(urls) >= 2, (role, urls)
        phone = signed_in(chromium, base_url, email, size="phone")
        for n, url in enumerate(urls):
            for size, p in (("desktop", page), ("phone", phone)):
                p.goto(url)
                check_page(p, f"all-{role}-{n:02d}-{size}", problems)
        page.context.close()
        phone.context.close()
    for size in SIZES:
        context = chromium.new_context(viewport=SIZES[size], locale="vi-VN")
        page = context.new_page()
        for name, path in (("form", f"/s/{token}"), ("invalid", "/s/not-a-link"), ("login", "/login")):
            page.goto(base_url + path)
            check_page(page, f"all-respondent-{name}-{size}", problems)
        context.close()
    assert not problems, "\n".join(problems)

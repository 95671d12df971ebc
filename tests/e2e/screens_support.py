"""Helpers of the per-role screen tests (issue 14): two sizes, screenshots, axe-core, a bounded crawl.

axe-core comes bundled in axe-playwright-python (its axe.min.js); nothing is fetched at run time.
"""
import re
from urllib.parse import urljoin, urlparse

from tests.browser_support import ARTIFACTS, sign_in

SHOTS = ARTIFACTS / "screens"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
PASSWORD = "demo-Chiso-2026"
#: Links that change state, switch language, download files or leave the app are not followed.
SKIP = re.compile(r"/logout|/lang/|/export|/download|\.xlsx|\.csv|\.json|/template|/api/|/healthz|/static/")


def axe_violations(page) -> list[str]:
    """Serious or critical axe-core violations of the page, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


def shot(page, name: str, full: bool = True) -> None:
    """A screenshot: the whole page, or only what the screen shows (full=False)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def check_page(page, name: str, problems: list) -> None:
    """Screenshot, then axe: every serious or critical violation is a problem of the test."""
    shot(page, name)
    problems.extend(f"{name} {page.url}: {v}" for v in axe_violations(page))


def signed_in(browser, base_url: str, email: str, size: str = "desktop", password: str = PASSWORD):
    context = browser.new_context(viewport=SIZES[size], locale="vi-VN", accept_downloads=True)
    return sign_in(context.new_page(), base_url, email, password)


def pattern(path: str) -> str:
    """One visit per kind of page: /progress/3/unit/17 and /progress/3/unit/18 are the same screen."""
    return re.sub(r"/[A-Z][A-Z0-9_]+", "/CODE", re.sub(r"/\d+", "/N", path))


def crawl(page, base_url: str, limit: int = 40) -> list[str]:
    """Same-origin HTML pages reachable by links from the home page, one per URL pattern, breadth first."""
    seen, queue, pages = set(), [f"{base_url}/"], []
    host = urlparse(base_url).netloc
    while queue and len(pages) < limit:
        url = queue.pop(0)
        parsed = urlparse(url)
        key = pattern(parsed.path) + ("?" + parsed.query.split("=")[0] if parsed.query else "")
        if key in seen or parsed.netloc != host or SKIP.search(parsed.path):
            continue
        seen.add(key)
        head = page.context.request.get(url)
        if not head.ok or "text/html" not in head.headers.get("content-type", ""):
            continue
        page.goto(url)
        pages.append(url)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            if href and not href.startswith(("#", "mailto:")):
                queue.append(urljoin(url, href).split("#")[0])
    return pages

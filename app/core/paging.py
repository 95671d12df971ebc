"""Paging and name search for long tables (drill-down, audit log, mailbox, enumerator list)."""
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class Page:
    items: list
    number: int  #: 1-based
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_number(raw) -> int:
    """The requested page; anything that is not a positive whole number is page 1."""
    raw = str(raw or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def paginate(items: list, raw_page, per_page: int = PER_PAGE) -> Page:
    """One page of a list already in memory (a page past the end shows the last one)."""
    pages = _pages(len(items), per_page)
    number = min(page_number(raw_page), pages)
    return Page(items[(number - 1) * per_page:number * per_page], number, pages, len(items))


def paginate_query(stmt, raw_page, per_page: int = PER_PAGE) -> Page:
    """One page of a SELECT of ORM rows, counted in the database."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pages = _pages(total, per_page)
    number = min(page_number(raw_page), pages)
    items = db.session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items, number, pages, total)


def search_text(raw) -> str:
    """A search box's text, NFC and case-folded, so "nguyễn" finds "Nguyễn" however it was typed."""
    return unicodedata.normalize("NFC", str(raw or "")).strip().casefold()


def matches(needle: str, *haystack) -> bool:
    return not needle or any(needle in unicodedata.normalize("NFC", h or "").casefold() for h in haystack)

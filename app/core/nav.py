"""Per-campaign links on the home page, contributed by each feature package.

A feature calls `campaign_link(...)` at import time; the home page shows the links the
signed-in role may follow, so adding a feature never means editing the home template.
"""
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext
from flask_login import current_user


@dataclass(frozen=True)
class CampaignLink:
    endpoint: str
    label: object  # lazy string
    roles: frozenset
    order: int


_LINKS: list[CampaignLink] = []


def campaign_link(endpoint: str, label, roles, order: int = 50) -> None:
    if any(link.endpoint == endpoint for link in _LINKS):
        return
    _LINKS.append(CampaignLink(endpoint, label, frozenset(roles), order))


def links_for(campaign):
    out = []
    for link in sorted(_LINKS, key=lambda l: l.order):
        if current_user.is_authenticated and current_user.role in link.roles:
            out.append({"url": url_for(link.endpoint, campaign_id=campaign.id), "label": link.label})
    return out


ROLE_LABELS = {
    "admin": lazy_gettext("Thường trực / Tổ thư ký"),
    "coordinator": lazy_gettext("Cán bộ theo dõi, đôn đốc"),
    "focal": lazy_gettext("Đơn vị đầu mối"),
    "enumerator": lazy_gettext("Điều tra viên"),
}

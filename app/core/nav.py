"""Per-campaign links on the home page and the campaign pages, declared here in one list.

The page shows the links the signed-in role may follow; a feature that adds a campaign page
adds its line below (the endpoint must exist: tests/security walks them).
"""
from dataclasses import dataclass

from flask import url_for
from flask_babel import lazy_gettext
from flask_login import current_user

_ALL = ("admin", "coordinator", "focal")
_STAFF = ("admin", "coordinator")


@dataclass(frozen=True)
class CampaignLink:
    endpoint: str
    label: object  # lazy string
    roles: tuple


#: In the order shown.
CAMPAIGN_LINKS = (
    CampaignLink("admin.campaign", lazy_gettext("Thiết lập"), ("admin",)),
    CampaignLink("lists.index", lazy_gettext("Danh sách khảo sát"), _ALL),
    CampaignLink("progress.dashboard", lazy_gettext("Tiến độ"), _ALL),
    CampaignLink("mailing.invitations", lazy_gettext("Thư mời"), _STAFF),
    CampaignLink("mailing.addresses", lazy_gettext("Địa chỉ cần sửa"), _ALL),
    CampaignLink("survey.interviews", lazy_gettext("Nhập phiếu điều tra"), ("enumerator",)),
    CampaignLink("interference_review.findings", lazy_gettext("Can thiệp"), _STAFF),
    CampaignLink("index.assessments", lazy_gettext("Tự đánh giá"), ("focal",)),
    CampaignLink("index.overview", lazy_gettext("Chỉ số"), _STAFF),
)


def links_for(campaign):
    if not current_user.is_authenticated:
        return []
    return [{"url": url_for(link.endpoint, campaign_id=campaign.id), "label": link.label}
            for link in CAMPAIGN_LINKS if current_user.role in link.roles]


ROLE_LABELS = {
    "admin": lazy_gettext("Thường trực / Tổ thư ký"),
    "coordinator": lazy_gettext("Cán bộ theo dõi, đôn đốc"),
    "focal": lazy_gettext("Đơn vị đầu mối"),
    "enumerator": lazy_gettext("Điều tra viên"),
}

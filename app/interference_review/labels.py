"""Vietnamese names of rules, severities, states, levels and actions (English via the catalog)."""
from flask_babel import lazy_gettext as _l

RULE_LABELS = {
    "same_device": _l("Cùng một thiết bị"),
    "burst": _l("Dồn dập từ một dải mạng"),
    "near_duplicate": _l("Phiếu gần trùng nhau"),
    "speeder": _l("Trả lời quá nhanh"),
    "straight_line": _l("Chọn một phương án cho mọi câu"),
    "forwarded": _l("Gửi từ nơi khác nơi mở đường dẫn"),
    "unit_anomaly": _l("Bất thường so với đơn vị cùng loại"),
}
SEVERITY_LABELS = {"low": _l("thấp"), "medium": _l("trung bình"), "high": _l("cao")}
SEVERITY_BADGE = {"low": "", "medium": "warn", "high": "err"}
STATE_LABELS = {"open": _l("chờ quyết định"), "dismissed": _l("đã bỏ qua"), "excluded": _l("đã loại phiếu"),
                "voided": _l("đã huỷ kết quả đơn vị")}
LEVEL_LABELS = {"none": _l("không"), "watch": _l("theo dõi"), "review": _l("cần xem xét"),
                "void_candidate": _l("có thể huỷ kết quả")}
LEVEL_BADGE = {"none": "ok", "watch": "", "review": "warn", "void_candidate": "err"}
ACTION_LABELS = {"dismiss": _l("Bỏ qua"), "exclude": _l("Loại phiếu"), "void": _l("Huỷ kết quả đơn vị"),
                 "revert": _l("Hoàn tác")}
MODE_LABELS = {"web": _l("trực tuyến"), "paper": _l("phiếu giấy"), "phone": _l("điện thoại")}


def labels() -> dict:
    """Everything the templates need to name things."""
    return {"rule_labels": RULE_LABELS, "severity_labels": SEVERITY_LABELS, "severity_badge": SEVERITY_BADGE,
            "state_labels": STATE_LABELS, "level_labels": LEVEL_LABELS, "level_badge": LEVEL_BADGE,
            "action_labels": ACTION_LABELS, "mode_labels": MODE_LABELS}

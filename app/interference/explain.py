"""Plain explanations of findings, Vietnamese first (correct diacritics), English second.

Templates are keyed by rule, or by ``rule/variant`` when the evidence names a variant.
"""
from __future__ import annotations

from .model import Detection

TEMPLATES_VI = {
    "same_device/device":
        "{responses} phiếu của đơn vị {unit} được gửi từ cùng một trình duyệt trong {minutes} "
        "phút (thời gian trả lời trung vị: {median_minutes} phút).",
    "same_device/network_browser":
        "{responses} phiếu của đơn vị {unit} được gửi nối tiếp nhau từ cùng một địa chỉ mạng "
        "và cùng một loại trình duyệt (không có cookie thiết bị) trong {minutes} phút (thời "
        "gian trả lời trung vị: {median_minutes} phút).",
    "same_device/sequential":
        "{responses} phiếu của đơn vị {unit} được gửi nối tiếp nhau từ cùng một địa chỉ mạng "
        "và cùng một loại trình duyệt, phiếu sau được mở ngay khi phiếu trước vừa gửi (mỗi "
        "phiếu một cookie thiết bị mới, như khi dùng cửa sổ ẩn danh) trong {minutes} phút "
        "(thời gian trả lời trung vị: {median_minutes} phút).",
    "burst":
        "{responses} phiếu của đơn vị {unit} được gửi từ cùng một dải mạng trong {minutes} "
        "phút, trong khi bình thường đơn vị này nhận khoảng {expected} phiếu trong "
        "{window_minutes} phút; {sequential}/{pairs} phiếu được mở sau khi phiếu trước đã "
        "gửi (trả lời nối tiếp nhau).",
    "burst/reminder":
        " Đợt gửi này bắt đầu {after_reminder_h} giờ sau một lần đôn đốc nên được giảm "
        "trọng số.",
    "near_duplicate":
        "{responses} phiếu của đơn vị {unit} (phiếu {questionnaire}, {items} câu) giống nhau "
        "trung bình {match_pct}% câu trả lời, vượt ngưỡng {threshold_pct}% (mức trùng khớp "
        "ngẫu nhiên cao nhất của đợt khảo sát: {null_pct}%).",
    "speeder":
        "{responses}/{total} phiếu ({share_pct}%) của đơn vị {unit} được trả lời quá nhanh "
        "(trung vị {median_seconds} giây, so với trung vị chung {questionnaire_median_seconds}"
        " giây); tỷ lệ chung của đợt khảo sát là {campaign_pct}%.",
    "straight_line":
        "{responses}/{total} phiếu ({share_pct}%) của đơn vị {unit} chọn cùng một phương án "
        "cho mọi câu trong từng nhóm câu hỏi; tỷ lệ chung của đợt khảo sát là "
        "{campaign_pct}%.",
    "forwarded":
        "{responses}/{total} phiếu ({share_pct}%) của đơn vị {unit} được gửi từ mạng hoặc "
        "thiết bị khác với nơi đường dẫn được mở lần đầu; tỷ lệ chung của đợt khảo sát là "
        "{campaign_pct}%.",
    "unit_anomaly/top_share":
        "Tỷ lệ câu trả lời chọn phương án tốt nhất của đơn vị {unit} (đã điều chỉnh theo "
        "loại phiếu) là {value_pct}%, cao bất thường so với trung vị {kind_median_pct}% của {units_of_kind} đơn vị cùng loại "
        "(z = {z}).",
    "unit_anomaly/flagged_share":
        "Tỷ lệ phiếu bị gắn cờ của đơn vị {unit} là {value_pct}%, cao bất thường so với trung "
        "vị {kind_median_pct}% của {units_of_kind} đơn vị cùng loại (z = {z}).",
}

TEMPLATES_EN = {
    "same_device/device":
        "{responses} responses of unit {unit} were submitted from the same browser within "
        "{minutes} minutes (median answering time: {median_minutes} minutes).",
    "same_device/network_browser":
        "{responses} responses of unit {unit} were submitted one after another from the same "
        "network address and browser build (no device cookie) within {minutes} minutes "
        "(median answering time: {median_minutes} minutes).",
    "same_device/sequential":
        "{responses} responses of unit {unit} were submitted one after another from the same "
        "network address and browser build, each opened right after the previous one was "
        "submitted (a new device cookie each time, as in a private window) within {minutes} "
        "minutes (median answering time: {median_minutes} minutes).",
    "burst":
        "{responses} responses of unit {unit} were submitted from one network range within "
        "{minutes} minutes, where the unit normally receives about {expected} per "
        "{window_minutes} minutes; {sequential}/{pairs} were opened after the previous one "
        "was submitted (answered one after another).",
    "burst/reminder":
        " It started {after_reminder_h} hours after a reminder, so it weighs less.",
    "near_duplicate":
        "{responses} responses of unit {unit} (questionnaire {questionnaire}, {items} items) "
        "share on average {match_pct}% of their answers, above the threshold of "
        "{threshold_pct}% (highest chance match in the campaign: {null_pct}%).",
    "speeder":
        "{responses}/{total} responses ({share_pct}%) of unit {unit} were answered too fast "
        "(median {median_seconds} s against {questionnaire_median_seconds} s overall); the "
        "campaign's share is {campaign_pct}%.",
    "straight_line":
        "{responses}/{total} responses ({share_pct}%) of unit {unit} give the same option to "
        "every item of each block; the campaign's share is {campaign_pct}%.",
    "forwarded":
        "{responses}/{total} responses ({share_pct}%) of unit {unit} were submitted from "
        "another network or device than the one that first opened the link; the campaign's "
        "share is {campaign_pct}%.",
    "unit_anomaly/top_share":
        "Unit {unit} chose the best option in {value_pct}% of answers (adjusted for its mix of "
        "questionnaires), far above the median "
        "of {kind_median_pct}% of {units_of_kind} units of its kind (z = {z}).",
    "unit_anomaly/flagged_share":
        "{value_pct}% of unit {unit}'s responses are flagged, far above the median of "
        "{kind_median_pct}% of {units_of_kind} units of its kind (z = {z}).",
}

_SMALL_UNIT = {
    "vi": " Đơn vị chỉ có {total} phiếu được xét: quá ít để kết luận (p = {p_value}, ngưỡng "
          "{threshold_p}); đây là ghi chú để theo dõi, không phải kết luận về can thiệp.",
    "en": " The unit has only {total} sheets considered: too few for a conclusion (p = "
          "{p_value}, threshold {threshold_p}); this is a note to watch, not a finding of "
          "interference."}
_SEVERITY = {"vi": {"low": "thấp", "medium": "trung bình", "high": "cao"},
             "en": {"low": "low", "medium": "medium", "high": "high"}}
_SUFFIX = {"vi": " Mức độ: {severity}.", "en": " Severity: {severity}."}


def _number(value, lang: str):
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = f"{value:g}"
        return text.replace(".", ",") if lang == "vi" else text
    return value


def explain(finding: Detection, lang: str = "vi") -> str:
    """One or two plain sentences with the finding's numbers, in Vietnamese or English."""
    if lang not in ("vi", "en"):
        raise ValueError(f"unsupported language {lang!r}")
    templates = TEMPLATES_VI if lang == "vi" else TEMPLATES_EN
    ev = finding.evidence
    key = f"{finding.rule}/{ev['variant']}" if "variant" in ev else finding.rule
    values = {k: _number(v, lang) for k, v in ev.items()}
    values["unit"] = finding.unit
    text = templates[key].format(**values)
    if finding.rule == "burst" and ev.get("after_reminder_h", "-") != "-":
        text += templates["burst/reminder"].format(**values)
    if ev.get("small_unit"):
        text += _SMALL_UNIT[lang].format(**values)
    return text + _SUFFIX[lang].format(severity=_SEVERITY[lang][finding.severity])

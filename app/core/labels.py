"""Vietnamese names of the codes a page would otherwise show (English through the catalog).

Unit kinds, audit actions and list states; the interference rules, severities and decision
states live in `app/interference_review/labels.py`. Exports may use the same names.
"""
from flask_babel import lazy_gettext as _l

#: The `unit_kinds` of the schemes in questionnaires/.
UNIT_KINDS = {
    "department": _l("Sở, ban, ngành"),
    "district": _l("UBND cấp huyện"),
    "province": _l("Tỉnh, thành phố"),
    "ministry": _l("Bộ, cơ quan ngang Bộ"),
    "cuc": _l("Cục, Tổng cục"),
    "vu": _l("Vụ, Văn phòng, Thanh tra"),
    "don_vi_su_nghiep": _l("Đơn vị sự nghiệp"),
}

AUDIT_ACTIONS = {
    "address.propose": _l("Đề xuất địa chỉ mới"),
    "address.approve": _l("Duyệt đề xuất địa chỉ"),
    "address.reject": _l("Từ chối đề xuất địa chỉ"),
    "address.change": _l("Đổi địa chỉ thư điện tử"),
    "campaign.mail_setup": _l("Đổi nội dung thư mời"),
    "campaign.min_cell_sheets": _l("Đổi số phiếu tối thiểu mỗi ô"),
    "invitation.not_me": _l("Người nhận báo nhầm người"),
    "list.person_edit": _l("Sửa một người trong danh sách"),
    "list.person_delete": _l("Xoá một người khỏi danh sách"),
    "mail.test": _l("Gửi thư thử"),
    "mailbox.imap": _l("Đổi cài đặt đọc thư (IMAP)"),
    "assessments.import": _l("Nhập điểm tự đánh giá / thẩm định"),
    "audit_log": _l("Xem nhật ký"),
    "campaign.create": _l("Tạo kỳ đánh giá"),
    "campaign.deadlines": _l("Đổi thời hạn"),
    "campaign.reminders": _l("Đổi lịch đôn đốc"),
    "index.compute": _l("Tính chỉ số"),
    "interference.scan": _l("Quét dấu hiệu can thiệp"),
    "invitation.revoke": _l("Thu hồi đường dẫn"),
    "invitation.resend": _l("Gửi lại thư mời"),
    "invitation.reissue": _l("Cấp lại đường dẫn"),
    "deadline.lists": _l("Hết hạn gửi danh sách"),
    "deadline.answers": _l("Hết hạn trả lời phiếu"),
    "finding.dismiss": _l("Bỏ qua dấu hiệu can thiệp"),
    "finding.exclude": _l("Loại phiếu"),
    "finding.void": _l("Huỷ kết quả khảo sát của đơn vị"),
    "finding.revert": _l("Hoàn tác quyết định"),
    "invitations.queue": _l("Gửi thư mời"),
    "list.approve": _l("Duyệt danh sách"),
    "list.assign_enumerator": _l("Giao cho điều tra viên"),
    "list.clear": _l("Xoá danh sách"),
    "list.return": _l("Trả lại danh sách"),
    "list.sample": _l("Chọn mẫu ngẫu nhiên"),
    "list.submit": _l("Gửi danh sách"),
    "list.upload": _l("Tải lên danh sách"),
    "mail_template.save": _l("Sửa mẫu thư"),
    "mailbox.save": _l("Lưu hộp thư công vụ"),
    "reminders.queue": _l("Gửi thư nhắc"),
    "respondent.email": _l("Sửa địa chỉ thư"),
    "unit.create": _l("Thêm đơn vị"),
    "units.import": _l("Nhập danh sách đơn vị"),
    "user.create": _l("Tạo tài khoản"),
    "user.locked": _l("Khoá tài khoản do đăng nhập sai"),
    "user.login": _l("Đăng nhập"),
}

LIST_STATES = {"draft": _l("Đang soạn"), "submitted": _l("Đã gửi, chờ duyệt"), "approved": _l("Đã duyệt"),
               "returned": _l("Bị trả lại")}

KINDS = {"unit_kind": UNIT_KINDS, "audit_action": AUDIT_ACTIONS, "list_state": LIST_STATES}


def label(code, kind: str) -> str:
    """The Vietnamese name of a code of the given kind; an unknown code is shown as it is."""
    name = KINDS[kind].get(code)
    return str(name) if name is not None else ("" if code is None else str(code))


FILTERS = {kind: (lambda code, _kind=kind: label(code, _kind)) for kind in ("unit_kind", "audit_action")}

"""Forms of the review workflow (CSRF on every post)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length


class ScanForm(FlaskForm):
    """Run the detectors now (the button carries only the CSRF token)."""


class DecisionForm(FlaskForm):
    action = SelectField(_l("Quyết định"), choices=[
        SelectChoice("dismiss", _l("Bỏ qua phát hiện (không có can thiệp)")),
        SelectChoice("exclude", _l("Loại các phiếu liên quan khỏi kết quả")),
        SelectChoice("void", _l("Huỷ kết quả khảo sát của đơn vị")),
    ])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(message=_l("Cần ghi lý do của quyết định.")),
                                                    Length(max=4000)])


class RevertForm(FlaskForm):
    reason = TextAreaField(_l("Lý do hoàn tác"), validators=[DataRequired(message=_l("Cần ghi lý do của quyết định.")),
                                                            Length(max=4000)])

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional


class TemplateForm(FlaskForm):
    subject = StringField(_l("Tiêu đề"), validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(_l("Nội dung"), validators=[DataRequired(), Length(max=10000)])
    contact_text = TextAreaField(_l("Thông tin liên hệ ở cuối thư"), validators=[Optional(), Length(max=1000)])


class ReminderForm(FlaskForm):
    unit_id = SelectField(_l("Đơn vị"), coerce=int, validators=[Optional()])
    group_id = SelectField(_l("Nhóm đối tượng"), coerce=int, validators=[Optional()])


class EmailForm(FlaskForm):
    """The secretariat's direct change; `unit_id` = the progress page to go back to (optional)."""
    email = StringField(_l("Địa chỉ thư điện tử mới"), validators=[DataRequired(), Length(max=254)])
    unit_id = HiddenField()


class ProposalForm(FlaskForm):
    """A focal unit's proposal of a new address for a failed delivery."""
    email = StringField(_l("Địa chỉ thư điện tử mới"), validators=[DataRequired(), Length(max=254)])
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=1000)])


class DecisionForm(FlaskForm):
    decision = StringField(_l("Quyết định"), validators=[DataRequired(), AnyOf(("approve", "reject"))])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=1000)])


class ActionForm(FlaskForm):
    """A button that changes something: CSRF only."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, DateField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CampaignForm(FlaskForm):
    scheme = SelectField(_l("Bộ chỉ số"), validators=[DataRequired()])
    year = IntegerField(_l("Năm đánh giá"), validators=[DataRequired(), NumberRange(2000, 2100)])
    name = StringField(_l("Tên kỳ đánh giá"), validators=[DataRequired(), Length(max=300)])
    lists_by = DateField(_l("Hạn gửi danh sách"), validators=[Optional()])
    answers_by = DateField(_l("Hạn trả lời phiếu"), validators=[Optional()])
    assessments_by = DateField(_l("Hạn khoá tự đánh giá"), validators=[Optional()])


class DeadlinesForm(FlaskForm):
    lists_by = DateField(_l("Hạn gửi danh sách"), validators=[DataRequired()])
    answers_by = DateField(_l("Hạn trả lời phiếu"), validators=[DataRequired()])
    assessments_by = DateField(_l("Hạn khoá tự đánh giá"), validators=[DataRequired()])
    min_cell_sheets = IntegerField(_l("Số phiếu tối thiểu để công bố một ô"), default=3,
                                   validators=[DataRequired(), NumberRange(1, 100)])


class UnitForm(FlaskForm):
    code = StringField(_l("Mã đơn vị"), validators=[DataRequired(), Length(max=50)])
    name = StringField(_l("Tên đơn vị"), validators=[DataRequired(), Length(max=300)])
    kind = StringField(_l("Loại"), validators=[DataRequired(), Length(max=50)])


class UploadForm(FlaskForm):
    file = FileField(_l("Tệp .xlsx, .ods hoặc CSV UTF-8"), validators=[FileRequired()])


class UserForm(FlaskForm):
    email = EmailField(_l("Thư điện tử"), validators=[DataRequired(), Length(max=254)])
    name = StringField(_l("Họ và tên"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Vai trò"), choices=[SelectChoice("admin", _l("Thường trực / Tổ thư ký")),
                                              SelectChoice("coordinator", _l("Cán bộ theo dõi, đôn đốc")),
                                              SelectChoice("focal", _l("Đơn vị đầu mối")),
                                              SelectChoice("enumerator", _l("Điều tra viên"))])
    units = StringField(_l("Mã đơn vị (cách nhau bởi dấu phẩy)"), validators=[Optional(), Length(max=2000)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


class MailboxForm(FlaskForm):
    unit_code = StringField(_l("Mã đơn vị (để trống: hộp thư mặc định)"), validators=[Optional(), Length(max=50)])
    host = StringField(_l("Máy chủ SMTP"), validators=[DataRequired(), Length(max=255)])
    port = IntegerField(_l("Cổng"), validators=[DataRequired(), NumberRange(1, 65535)])
    tls = SelectField(_l("Bảo mật"), choices=[SelectChoice("starttls", "STARTTLS"), SelectChoice("ssl", "SSL/TLS"),
                                                 SelectChoice("none", _l("Không"))])
    username = StringField(_l("Tên đăng nhập"), validators=[Optional(), Length(max=254)])
    password = PasswordField(_l("Mật khẩu (để trống: giữ mật khẩu cũ)"), validators=[Optional(), Length(max=200)])
    sender = EmailField(_l("Địa chỉ gửi"), validators=[DataRequired(), Length(max=254)])
    sender_name = StringField(_l("Tên người gửi"), validators=[Optional(), Length(max=200)])
    reply_to = EmailField(_l("Địa chỉ trả lời (Reply-To)"), validators=[Optional(), Length(max=254)])
    rate_per_minute = IntegerField(_l("Số thư mỗi phút"), default=60, validators=[DataRequired(), NumberRange(1, 10000)])
    daily_cap = IntegerField(_l("Số thư tối đa mỗi ngày"), default=5000, validators=[DataRequired(), NumberRange(1, 1000000)])
    active = BooleanField(default=True)
    #: Where bounces and replies are read (IMAP); empty host = leave the current setting.
    imap_host = StringField(_l("Máy chủ IMAP (đọc thư báo lỗi và thư trả lời)"), validators=[Optional(), Length(max=255)])
    imap_port = IntegerField(_l("Cổng IMAP"), default=993, validators=[Optional(), NumberRange(1, 65535)])
    imap_tls = SelectField(_l("Bảo mật IMAP"), choices=[SelectChoice("ssl", "SSL/TLS"), SelectChoice("starttls", "STARTTLS"),
                                                        SelectChoice("none", _l("Không"))],
                           validators=[Optional()])
    imap_username = StringField(_l("Tên đăng nhập IMAP"), validators=[Optional(), Length(max=254)])
    imap_password = PasswordField(_l("Mật khẩu IMAP (để trống: giữ mật khẩu cũ)"), validators=[Optional(), Length(max=200)])
    imap_folder = StringField(_l("Thư mục"), default="INBOX", validators=[Optional(), Length(max=200)])

"""Forms of the list screens (CSRF on each)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class UploadForm(FlaskForm):
    file = FileField(_l("Tệp danh sách (.xlsx, .ods hoặc .csv)"), validators=[FileRequired()])
    mode = RadioField(_l("Cách nhập"), default="replace", choices=[
        SelectChoice("replace", _l("Thay thế toàn bộ danh sách hiện có")),
        SelectChoice("append", _l("Bổ sung vào danh sách (ví dụ: các dòng đã sửa lỗi)"))])


class SubmitForm(FlaskForm):
    explanation = TextAreaField(_l("Giải trình (bắt buộc khi danh sách chưa đúng chỉ tiêu)"),
                                validators=[Optional(), Length(max=4000)])


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Lý do trả lại"), validators=[DataRequired(), Length(max=4000)])


class SampleForm(FlaskForm):
    group = SelectField(_l("Nhóm đối tượng"), validators=[DataRequired()])
    size = IntegerField(_l("Cỡ mẫu"), validators=[DataRequired(), NumberRange(1, 1_000_000)])
    seed = IntegerField(_l("Hạt giống (để trống: chọn ngẫu nhiên)"), validators=[Optional(), NumberRange(0, 2**31 - 1)])


class EnumeratorForm(FlaskForm):
    enumerator = SelectField(_l("Điều tra viên cho người không có thư điện tử"), coerce=int)


class PersonForm(FlaskForm):
    """One row of a draft list, checked like an uploaded row."""
    full_name = StringField(_l("Họ và tên"), validators=[DataRequired(), Length(max=200)])
    position = StringField(_l("Chức vụ"), validators=[Optional(), Length(max=200)])
    organisation = StringField(_l("Đơn vị công tác"), validators=[Optional(), Length(max=300)])
    group = SelectField(_l("Nhóm đối tượng"), validators=[DataRequired()])
    email = StringField(_l("Thư điện tử"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Số điện thoại"), validators=[Optional(), Length(max=40)])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    targets = StringField(_l("Đơn vị được đánh giá (mã, cách nhau bởi dấu ;)"), validators=[Optional(), Length(max=500)])

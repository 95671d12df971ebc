from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired


class AssessmentUploadForm(FlaskForm):
    file = FileField(_l("Tệp điểm tự đánh giá (.xlsx, .ods hoặc CSV UTF-8)"), validators=[FileRequired()])


class ComputeForm(FlaskForm):
    """Only the CSRF token: computing takes no parameters on screen."""

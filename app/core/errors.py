"""Error pages in the user's language (Vietnamese by default)."""
from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from app.extensions import db


def install(app: Flask) -> None:
    # Runs before Flask-SQLAlchemy's own teardown (teardowns run in reverse order).
    app.teardown_appcontext(_release_session)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_template("errors/error.html", code=400,
                               title=_("Phiên làm việc đã hết hạn"),
                               message=_("Biểu mẫu đã hết hạn hoặc thiếu mã bảo mật. Vui lòng tải lại trang và thử lại.")), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        titles = {
            400: _("Yêu cầu không hợp lệ"),
            403: _("Không có quyền truy cập"),
            404: _("Không tìm thấy trang"),
            405: _("Phương thức không được hỗ trợ"),
            413: _("Tệp quá lớn"),
            429: _("Quá nhiều yêu cầu"),
        }
        messages = {
            403: _("Tài khoản của bạn không có quyền xem trang này."),
            404: _("Trang bạn tìm không tồn tại hoặc đã bị chuyển đi."),
            413: _("Tệp tải lên vượt quá giới hạn 50 MB. Vui lòng chia nhỏ tệp."),
        }
        code = exc.code or 500
        return render_template("errors/error.html", code=code,
                               title=titles.get(code, _("Có lỗi xảy ra")),
                               message=messages.get(code, exc.description if code == 400 else "")), code

    @app.errorhandler(500)
    def server_error(exc):
        try:
            db.session.rollback()
        except SQLAlchemyError:
            _discard_session()
        return render_template("errors/error.html", code=500, title=_("Lỗi hệ thống"),
                               message=_("Đã có lỗi ngoài ý muốn. Dữ liệu của bạn chưa bị thay đổi; vui lòng thử lại sau.")), 500


def _release_session(exc=None) -> None:
    try:
        db.session.remove()
    except SQLAlchemyError:
        _discard_session()


def _discard_session() -> None:
    """The connection died under an open transaction (database restarted, network cut): the
    server has rolled back already, so the failed ROLLBACK is no loss. SQLAlchemy has marked the
    connection invalid; closing again returns it to the pool, which replaces it, and the user
    still gets our error page rather than the server's bare 500."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        db.session.registry.clear()

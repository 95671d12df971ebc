"""`flask users create …`"""
import sys

import click
from flask_babel import gettext as _
from flask.cli import with_appcontext

from app.core.cli_utils import commit_or_fail, fail, report

from .services import AccountError, create_user

users = click.Group("users", help="Tài khoản người dùng / user accounts.")


@users.command("create")
@click.option("--email", required=True)
@click.option("--role", required=True)
@click.option("--unit", "units", multiple=True, help="Mã đơn vị (repeatable) for focal / enumerator accounts.")
@click.option("--name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def users_create(email, role, units, name, password_stdin, as_json):
    """Create an account."""
    if not password_stdin:
        fail(_("Hãy dùng --password-stdin và truyền mật khẩu qua đầu vào chuẩn (không để lộ trong lịch sử lệnh)."))
    password = sys.stdin.readline().rstrip("\r\n")
    user = commit_or_fail(lambda: create_user(email, role, password, units, name=name), AccountError)
    report({"id": user.id, "email": user.email, "role": user.role, "units": sorted(user.unit_codes)}, as_json,
           f"Created {user.role} account {user.email} (id {user.id}).")


COMMANDS = [users]

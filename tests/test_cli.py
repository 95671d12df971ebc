"""The operations CLI contract (DESIGN.md §6): --json prints one object; bad input exits non-zero."""
import json


from app.extensions import db
from app.models import Campaign, User


def test_users_create_and_bad_role_or_unit(runner, make_campaign):
    make_campaign()
    ok = runner.invoke(args=["users", "create", "--email", "daumoi@so.gov.vn", "--role", "focal", "--unit", "SO_TP",
                             "--password-stdin", "--json"], input="mat-khau-dai\n")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["units"] == ["SO_TP"]
    bad_role = runner.invoke(args=["users", "create", "--email", "x@so.gov.vn", "--role", "boss", "--password-stdin"],
                             input="mat-khau-dai\n")
    assert bad_role.exit_code != 0 and "Vai trò 'boss' không hợp lệ" in bad_role.output
    bad_unit = runner.invoke(args=["users", "create", "--email", "y@so.gov.vn", "--role", "focal", "--unit", "KHONG_CO",
                                   "--password-stdin"], input="mat-khau-dai\n")
    assert bad_unit.exit_code != 0 and "KHONG_CO" in bad_unit.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_campaigns_create_and_list(runner):
    result = runner.invoke(args=["campaigns", "create", "--scheme", "PAR_MINISTRY", "--year", "2026",
                                 "--name", "Chỉ số CCHC các bộ 2026", "--lists-by", "15/12/2026", "--json"])
    assert result.exit_code == 0, result.output
    cid = json.loads(result.output)["id"]
    listed = json.loads(runner.invoke(args=["campaigns", "list", "--json"]).output)
    assert listed["campaigns"][0]["id"] == cid and listed["campaigns"][0]["lists_by"] == "2026-12-15"
    groups = json.loads(runner.invoke(args=["groups", "list", "--campaign", str(cid), "--json"]).output)["groups"]
    cb = next(g for g in groups if g["code"] == "CB_CCHC")
    assert (cb["quota_min"], cb["quota_max"]) == (2, 2)


def test_campaigns_create_unknown_scheme(runner):
    result = runner.invoke(args=["campaigns", "create", "--scheme", "NOPE", "--year", "2026", "--name", "x"])
    assert result.exit_code != 0 and "NOPE" in result.output
    assert db.session.scalar(db.select(db.func.count(Campaign.id))) == 0


def test_units_import_duplicate_code(runner, make_campaign, tmp_path):
    campaign = make_campaign(units=[])
    f = tmp_path / "units.csv"
    f.write_text("Mã đơn vị,Tên đơn vị,Loại\nA,Sở A,department\nA,Sở A',department\n", encoding="utf-8")
    result = runner.invoke(args=["units", "import", str(f), "--campaign", str(campaign.id)])
    assert result.exit_code != 0 and "trùng" in result.output
    listed = json.loads(runner.invoke(args=["units", "list", "--campaign", str(campaign.id), "--json"]).output)
    assert listed["units"] == []


def test_schemes_show_shape(runner):
    result = runner.invoke(args=["schemes", "show", "PAR_PROVINCE", "--json"])
    data = json.loads(result.output)
    assert {"code", "name", "bands", "fields", "groups", "questionnaires"} <= set(data)
    leaf = data["fields"][0]["criteria"][0]
    assert "code" in leaf and "name" in leaf
    total = 0.0
    for field in data["fields"]:
        for c in field["criteria"]:
            total += c["max"] if not c["subcriteria"] else sum(s["max"] for s in c["subcriteria"])
    assert abs(total - 100) < 1e-9


def test_schemes_check_reports_broken_yaml(runner, tmp_path):
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "scheme.yaml").write_text("code: X\nfields: [unclosed\n", encoding="utf-8")
    result = runner.invoke(args=["schemes", "check", str(tmp_path), "--json"])
    assert result.exit_code != 0
    data = json.loads(result.output)
    assert data["ok"] is False and data["problems"][0]["file"].endswith("scheme.yaml")


def test_schemes_check_ok_on_shipped(runner, app):
    result = runner.invoke(args=["schemes", "check", app.config["QUESTIONNAIRES_DIR"], "--json"])
    assert result.exit_code == 0, result.output
    assert {"PAR_PROVINCE", "PAR_MINISTRY", "MINISTRY_INTERNAL"} <= set(json.loads(result.output)["schemes"])


def test_demo_seed(runner):
    result = runner.invoke(args=["demo", "seed", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["units"] == 12 and data["respondents"] >= 200
    # Approved lists are invited, some answered through the answering service, scores imported.
    assert data["invitations"] > 0 and 0 < data["responses"] < data["invitations"]
    # The demo's sheets are sealed like real ones and released at the end of the seed (shuffled).
    from app.extensions import db
    from app.models import Response, SealedAnswer

    count = lambda model: db.session.scalar(db.select(db.func.count()).select_from(model))  # noqa: E731
    assert count(SealedAnswer) == 0 and count(Response) == data["responses"]
    assert data["assessment_rows"] > 0
    again = runner.invoke(args=["demo", "seed", "--if-empty", "--json"])
    assert json.loads(again.output) == {"seeded": False}


def test_command_functions_are_named_group_command(app):
    """One naming rule for the CLI code: `flask <group> <command>` lives in `def <group>_<command>`."""
    import click

    for group_name, group in app.cli.commands.items():
        if not isinstance(group, click.Group) or group_name == "db":  # `db` is Flask-Migrate's
            continue
        for name, command in group.commands.items():
            assert command.callback.__name__ == f"{group_name}_{name}".replace("-", "_"), (group_name, name)

"""Set-up commands: schemes, campaigns, units, groups, mailboxes, demo (DESIGN.md §6)."""
import json
from datetime import datetime
from pathlib import Path

import click
from flask_babel import gettext as _
from flask.cli import with_appcontext

import questionnaires
from app.core.cli_utils import campaign_command, commit_or_fail, fail, report
from app.core.lookups import campaign_or_fail
from app.core.schemes import SchemeNotFound, get_scheme
from app.extensions import db
from app.models import Campaign

from .services import SetupError, create_campaign, import_units


def _date(value):
    if value is None:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    fail(_("'%(value)s' không phải ngày; dùng dạng YYYY-MM-DD hoặc DD/MM/YYYY.", value=value))


schemes = click.Group("schemes", help="Bộ chỉ số và phiếu khảo sát / schemes and questionnaires.")


@schemes.command("check")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--json", "as_json", is_flag=True)
def schemes_check(path, as_json):
    """Validate the schemes under PATH and list every problem."""
    result = questionnaires.load_directory(Path(path))
    problems = [{"file": p.file, "path": p.path, "message": p.message} for p in result.problems]
    if as_json:
        click.echo(json.dumps({"ok": not problems, "schemes": sorted(result.schemes), "problems": problems},
                              ensure_ascii=False))
    else:
        for p in problems:
            click.echo(f"{p['file']}: {p['path']}: {p['message']}", err=True)
        if not problems:
            click.echo(f"OK: {', '.join(sorted(result.schemes)) or 'no schemes'}")
    if problems:
        raise SystemExit(1)


@schemes.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def schemes_show(code, as_json):
    """The scheme as JSON, for other tools."""
    try:
        scheme = get_scheme(code)
    except SchemeNotFound:
        fail(_("Không có bộ chỉ số với mã '%(code)s'.", code=code))
    click.echo(json.dumps(scheme.to_dict(), ensure_ascii=False, indent=None if as_json else 2))


campaigns = click.Group("campaigns", help="Kỳ đánh giá / campaigns.")


@campaigns.command("create")
@click.option("--scheme", "scheme_code", required=True)
@click.option("--year", type=int, required=True)
@click.option("--name", required=True)
@click.option("--lists-by")
@click.option("--answers-by")
@click.option("--assessments-by")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def campaigns_create(scheme_code, year, name, lists_by, answers_by, assessments_by, as_json):
    """Create a campaign; prints its id."""
    campaign = commit_or_fail(lambda: create_campaign(scheme_code, year, name, _date(lists_by), _date(answers_by),
                                                      _date(assessments_by)), SetupError)
    report({"id": campaign.id, "scheme": campaign.scheme_code, "year": campaign.year}, as_json, str(campaign.id))


@campaigns.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def campaigns_list(as_json):
    rows = [{"id": c.id, "scheme": c.scheme_code, "year": c.year, "name": c.name,
             "lists_by": str(c.lists_by), "answers_by": str(c.answers_by), "assessments_by": str(c.assessments_by)}
            for c in db.session.scalars(db.select(Campaign).order_by(Campaign.id))]
    report({"campaigns": rows}, as_json,
           "\n".join(f"{r['id']}\t{r['year']}\t{r['scheme']}\t{r['name']}" for r in rows) or "no campaigns")


units = click.Group("units", help="Đơn vị được đánh giá / assessed units.")


@campaign_command(units, "list")
@with_appcontext
def units_list(campaign_id, as_json):
    campaign = campaign_or_fail(campaign_id)
    from app.models import RespondentList

    states = dict(db.session.execute(db.select(RespondentList.unit_id, RespondentList.state)
                                     .where(RespondentList.campaign_id == campaign.id)).all())
    rows = [{"id": u.id, "code": u.code, "name": u.name, "kind": u.kind, "list_state": states.get(u.id, "draft"),
             "survey_voided": u.survey_voided} for u in campaign.units]
    report({"units": rows}, as_json, "\n".join(f"{r['code']}\t{r['kind']}\t{r['list_state']}\t{r['name']}" for r in rows))


@campaign_command(units, "import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def units_import(file, campaign_id, as_json):
    campaign = campaign_or_fail(campaign_id)
    result = commit_or_fail(lambda: import_units(campaign, Path(file).name, Path(file).read_bytes()), SetupError)
    report(result, as_json, f"Imported {result['imported']} units.")


groups = click.Group("groups", help="Nhóm đối tượng / respondent groups.")


@campaign_command(groups, "list")
@with_appcontext
def groups_list(campaign_id, as_json):
    campaign = campaign_or_fail(campaign_id)
    rows = [{"id": g.id, "code": g.code, "name": g.name, "priority": g.priority, "questionnaire": g.questionnaire_code,
             "weight": g.weight, "requires_email": g.requires_email, "quota_min": g.quota_min, "quota_max": g.quota_max,
             "quota_by_kind": g.quota_by_kind} for g in campaign.groups]
    report({"groups": rows}, as_json, "\n".join(
        f"{r['priority']}\t{r['code']}\t{r['quota_min']}..{r['quota_max']}\t{r['name']}" for r in rows))


mailboxes = click.Group("mailboxes", help="Hộp thư công vụ / official mailboxes.")


@mailboxes.command("add")
@click.option("--unit", "unit_code", default=None, help="Unit code; omit for the default mailbox.")
@click.option("--url", required=True)
@click.option("--imap-url", default=None, help="imap://[login:password@]host:port/FOLDER?tls=none|starttls|ssl")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def mailboxes_add(unit_code, url, imap_url, as_json):
    from app.mailing.mailboxes import MailboxError, parse_imap_url, parse_mail_url, save_imap, save_mailbox

    def save():
        imap = parse_imap_url(imap_url) if imap_url else None
        box = save_mailbox(unit_code, parse_mail_url(url))
        if imap is not None:
            save_imap(box, imap)
        return box

    box = commit_or_fail(save, MailboxError)
    report({"id": box.id, "unit": box.unit_code, "host": box.host, "port": box.port, "tls": box.tls,
            "sender": box.sender, "imap_host": box.imap_host, "imap_folder": box.imap_folder}, as_json, f"Mailbox {box.id} for {box.unit_code or 'default'} saved.")


demo = click.Group("demo", help="Dữ liệu minh hoạ / demo data.")


@demo.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when a campaign exists already.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def demo_seed(if_empty, as_json):
    """Load a demo campaign with units, groups, respondents and accounts."""
    from .demo import seed

    if if_empty and db.session.scalar(db.select(Campaign.id).limit(1)):
        report({"seeded": False}, as_json, "A campaign exists already; nothing seeded.")
        return
    from app.survey.sealing import release_sealed

    result = seed()
    db.session.commit()
    # The demo's answers are sealed like real ones; release them now (shuffled, own transaction)
    # so the demo dashboards and index have data without waiting for the job runner's rule.
    release_sealed(force=True)
    report(result, as_json, "\n".join(f"{k}: {v}" for k, v in result.items()))


COMMANDS = [schemes, campaigns, units, groups, mailboxes, demo]

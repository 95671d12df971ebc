"""Old addresses → new ones: one declared table, answered with 308 (same method, same body).

Every staff page now reads `/<room>/campaigns/<campaign_id>/…`, a unit as `/units/<unit_code>`.
Bookmarks, mailed staff links and forms rendered before the change still land: an old rule
redirects to its endpoint's new URL with the query string kept. Respondent links `/s/<token>…`
never moved and are not here.

An old rule carries the roles of its target, so `check_request` refuses the same people before
anything is looked up; the rules that named a unit by id resolve it with the target's own checks
(404 outside the campaign, 403 outside the account's units), so an old address tells nobody more
than the new one does.
"""
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from app.core.lookups import campaign_or_404, find_unit, in_campaign_or_404
from app.core.policy import require_unit
from app.models import Unit
from app.survey.services import interview_target


@dataclass(frozen=True)
class Moved:
    rule: str  # the old rule
    endpoint: str  # the endpoint that serves it now
    resolve: Callable[[dict], dict] | None = None  # old URL values -> new ones, with the target's checks


def _progress_unit(values: dict) -> dict:
    """The old progress rules named the unit by id. A unit code made only of digits matches the old
    rule too: when the campaign has a unit with that code, the URL is already the new one."""
    campaign_id, segment = values["campaign_id"], request.path.split("/")[5]
    if find_unit(campaign_or_404(campaign_id), segment) is not None:
        return {"campaign_id": campaign_id, "unit_code": segment}
    unit = in_campaign_or_404(Unit, values["unit_id"], campaign_id)
    require_unit(unit.code)
    return {"campaign_id": campaign_id, "unit_code": unit.code}


def _interview(values: dict) -> dict:
    campaign = campaign_or_404(values["campaign_id"])
    try:
        respondent, unit = interview_target(current_user, campaign, values["respondent_id"], values["unit_id"])
    except LookupError:
        abort(404)
    except PermissionError:
        abort(403)
    return {"campaign_id": campaign.id, "unit_code": unit.code, "respondent_id": respondent.id}


MOVED = (
    Moved("/lists/<int:campaign_id>", "lists.index"),
    Moved("/lists/<int:campaign_id>/<unit_code>", "lists.unit_list"),
    Moved("/lists/<int:campaign_id>/<unit_code>/template.xlsx", "lists.template"),
    Moved("/lists/<int:campaign_id>/<unit_code>/errors.xlsx", "lists.errors"),
    Moved("/lists/<int:campaign_id>/<unit_code>/export.xlsx", "lists.export"),
    Moved("/lists/<int:campaign_id>/<unit_code>/upload", "lists.upload"),
    Moved("/lists/<int:campaign_id>/<unit_code>/people/<int:respondent_id>", "lists.edit_person"),
    Moved("/lists/<int:campaign_id>/<unit_code>/people/<int:respondent_id>/delete", "lists.delete_person"),
    Moved("/lists/<int:campaign_id>/<unit_code>/submit", "lists.submit_list"),
    Moved("/lists/<int:campaign_id>/<unit_code>/approve", "lists.approve_list"),
    Moved("/lists/<int:campaign_id>/<unit_code>/return", "lists.return_"),
    Moved("/lists/<int:campaign_id>/<unit_code>/sample", "lists.sample"),
    Moved("/lists/<int:campaign_id>/<unit_code>/enumerator", "lists.enumerator"),
    Moved("/lists/<int:campaign_id>/<unit_code>/clear", "lists.clear"),
    Moved("/campaigns/<int:campaign_id>/addresses", "mailing.addresses"),
    Moved("/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/address-proposal", "mailing.propose_address"),
    Moved("/campaigns/<int:campaign_id>/address-proposals/<int:proposal_id>/decision", "mailing.decide_proposal"),
    Moved("/campaigns/<int:campaign_id>/respondents/<int:respondent_id>/address", "mailing.change_address"),
    Moved("/campaigns/<int:campaign_id>/invitations/<int:invitation_id>/resend", "mailing.resend"),
    Moved("/campaigns/<int:campaign_id>/invitations", "mailing.invitations"),
    Moved("/campaigns/<int:campaign_id>/invitations/send", "mailing.send_invitations"),
    Moved("/campaigns/<int:campaign_id>/reminders/send", "mailing.send_reminders"),
    Moved("/campaigns/<int:campaign_id>/mail-templates", "mailing.save_template"),
    Moved("/campaigns/<int:campaign_id>/mail-setup", "mailing.mail_setup"),
    Moved("/campaigns/<int:campaign_id>/mail-setup/test", "mailing.send_test_mail"),
    Moved("/campaigns/<int:campaign_id>/replies", "mailing.replies"),
    Moved("/dev-mail", "mailing.dev_mailbox"),
    Moved("/progress/api/campaigns/<int:campaign_id>", "progress.api"),
    Moved("/progress/api/campaigns/<int:campaign_id>/outbox", "progress.api_outbox"),
    Moved("/progress/campaigns/<int:campaign_id>/units/<int:unit_id>", "progress.unit", _progress_unit),
    Moved("/progress/campaigns/<int:campaign_id>/units/<int:unit_id>/remind", "progress.remind", _progress_unit),
    Moved("/index/<int:campaign_id>", "index.overview"),
    Moved("/index/<int:campaign_id>/compute", "index.compute"),
    Moved("/index/<int:campaign_id>/runs/<int:run_id>", "index.run"),
    Moved("/index/<int:campaign_id>/runs/<int:run_id>/workbook.xlsx", "index.workbook"),
    Moved("/index/<int:campaign_id>/runs/<int:run_id>/ranking.csv", "index.ranking_csv"),
    Moved("/index/<int:campaign_id>/runs/<int:run_id>/robustness", "index.robustness_view"),
    Moved("/index/<int:campaign_id>/runs/<int:run_id>/units/<unit_code>", "index.unit_profile_view"),
    Moved("/index/<int:campaign_id>/assessments", "index.assessments"),
    Moved("/index/<int:campaign_id>/assessments/template.xlsx", "index.assessments_template"),
    Moved("/survey/campaigns/<int:campaign_id>/interviews/<int:respondent_id>/<int:unit_id>", "survey.interview",
          _interview),
)

#: Endpoint names of the old rules: "moved.<endpoint with _ for .>"; no blueprint of that name exists.
PREFIX = "moved."


def _view(moved: Moved, target):
    def redirect_view(**values):
        new = moved.resolve(values) if moved.resolve else values
        url = url_for(moved.endpoint, **new)
        if url == request.script_root + request.path:  # a unit code of digits: the old rule caught a new URL
            return target(**new)
        query = request.query_string.decode("ascii", "replace")
        return redirect(f"{url}?{query}" if query else url, 308)

    redirect_view.allowed_roles = target.allowed_roles
    return redirect_view


def register(app: Flask) -> None:
    """Add the old rules; call after the blueprints (each old rule takes its target's methods and roles)."""
    for moved in MOVED:
        target = app.view_functions[moved.endpoint]
        (rule,) = app.url_map.iter_rules(moved.endpoint)
        app.add_url_rule(moved.rule, endpoint=PREFIX + moved.endpoint.replace(".", "_"),
                         view_func=_view(moved, target), methods=sorted(rule.methods - {"HEAD", "OPTIONS"}))

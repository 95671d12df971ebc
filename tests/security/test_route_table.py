"""Every route × every role, against a table written by hand (not read from the views' policy).

Roles: admin, coordinator, focal (of unit A), focal_other (focal of unit B), enumerator (of unit
A) and an anonymous visitor. URL arguments are real ids of a seeded campaign, all pointing at
unit A, so focal_other must be refused on every unit-scoped URL. POSTs carry a valid CSRF token.
"""
import re

import pytest

from app.legacy_urls import PREFIX
from app.mailing.tokens import make_token
from tests.conftest import login

ROLES = ("admin", "coordinator", "focal", "focal_other", "enumerator", "anonymous")
EVERYONE = "*"
STAFF = {"admin", "coordinator"}
WATCHERS = {"admin", "coordinator", "focal", "focal_other"}  # campaign-wide pages, scoped to the account's units
UNIT_A_WATCHERS = {"admin", "coordinator", "focal"}  # unit A's pages: focal_other refused
UNIT_A_EDITORS = {"admin", "focal"}
ADMIN = {"admin"}
SIGNED_IN = {"admin", "coordinator", "focal", "focal_other", "enumerator"}
ENUMERATOR = {"enumerator"}

#: endpoint -> {method: roles allowed}. Everyone else: anonymous -> login page, signed-in -> 403.
TABLE = {
    "core.home": {"GET": SIGNED_IN},
    "core.health": {"GET": EVERYONE},
    "core.set_language": {"GET": EVERYONE},
    "auth.login": {"GET": EVERYONE, "POST": EVERYONE},
    "auth.logout": {"POST": SIGNED_IN},
    "admin.audit_log": {"GET": ADMIN},
    "admin.campaigns": {"GET": ADMIN, "POST": ADMIN},
    "admin.campaign": {"GET": ADMIN, "POST": ADMIN},
    "admin.mailboxes": {"GET": ADMIN, "POST": ADMIN},
    "admin.users": {"GET": ADMIN, "POST": ADMIN},
    "mailing.addresses": {"GET": WATCHERS},
    "mailing.propose_address": {"POST": {"focal"}},
    "mailing.decide_proposal": {"POST": STAFF},
    "mailing.change_address": {"POST": STAFF},
    "mailing.invitations": {"GET": STAFF},
    "mailing.resend": {"POST": STAFF},
    "mailing.send_invitations": {"POST": ADMIN},
    "mailing.save_template": {"POST": ADMIN},
    "mailing.send_reminders": {"POST": STAFF},
    "mailing.dev_mailbox": {"GET": ADMIN},
    "mailing.mail_setup": {"GET": ADMIN, "POST": ADMIN},
    "mailing.send_test_mail": {"POST": ADMIN},
    "mailing.replies": {"GET": STAFF},
    "mailing.not_me_page": {"GET": EVERYONE, "POST": EVERYONE},
    "index.overview": {"GET": STAFF},
    "index.assessments": {"GET": {"admin", "focal", "focal_other"}, "POST": {"admin", "focal", "focal_other"}},
    "index.assessments_template": {"GET": {"admin", "focal", "focal_other"}},
    "index.compute": {"POST": ADMIN},
    "index.run": {"GET": STAFF},
    "index.ranking_csv": {"GET": ADMIN},
    "index.robustness_view": {"GET": ADMIN},
    "index.unit_profile_view": {"GET": STAFF},
    "index.workbook": {"GET": ADMIN},
    "lists.index": {"GET": WATCHERS},
    "lists.unit_list": {"GET": UNIT_A_WATCHERS},
    "lists.approve_list": {"POST": ADMIN},
    "lists.clear": {"POST": UNIT_A_EDITORS},
    "lists.enumerator": {"POST": ADMIN},
    "lists.errors": {"GET": UNIT_A_WATCHERS},
    "lists.export": {"GET": UNIT_A_WATCHERS},
    "lists.return_": {"POST": ADMIN},
    "lists.sample": {"POST": UNIT_A_EDITORS},
    "lists.submit_list": {"POST": UNIT_A_EDITORS},
    "lists.template": {"GET": UNIT_A_WATCHERS},
    "lists.upload": {"POST": UNIT_A_EDITORS},
    "lists.edit_person": {"GET": UNIT_A_EDITORS, "POST": UNIT_A_EDITORS},
    "lists.delete_person": {"POST": UNIT_A_EDITORS},
    "progress.api": {"GET": WATCHERS},
    "progress.api_outbox": {"GET": STAFF},
    "progress.dashboard": {"GET": WATCHERS},
    "progress.export": {"GET": WATCHERS},
    "progress.unit": {"GET": UNIT_A_WATCHERS},
    "progress.remind": {"POST": UNIT_A_WATCHERS},
    "progress.remind_laggards": {"POST": STAFF},
    "progress.reminder_schedule": {"POST": STAFF},
    "survey.answer": {"GET": EVERYONE, "POST": EVERYONE},
    "survey.interviews": {"GET": ENUMERATOR},
    "survey.interview": {"GET": ENUMERATOR, "POST": ENUMERATOR},
    "interference_review.findings": {"GET": STAFF},
    "interference_review.finding": {"GET": STAFF},
    "interference_review.decide_finding": {"POST": ADMIN},
    "interference_review.revert_finding": {"POST": ADMIN},
    "interference_review.scan_now": {"POST": ADMIN},
}

#: Run last: they remove data (or the session) the other requests need.
POST_LAST = ("lists.sample", "lists.clear", "auth.logout")


def _rules(app):
    """The routes; the old addresses of app/legacy_urls.py are tested in test_legacy_urls.py."""
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static" and not r.endpoint.startswith(PREFIX)]


def test_every_route_has_a_row_in_the_table(app):
    """A new route fails here until someone decides, by hand, who may use it."""
    endpoints = {r.endpoint for r in _rules(app)}
    assert sorted(endpoints - set(TABLE)) == [], "add these endpoints to TABLE"
    assert sorted(set(TABLE) - endpoints) == [], "stale rows in TABLE"
    for rule in _rules(app):
        methods = rule.methods - {"HEAD", "OPTIONS"}
        assert methods == set(TABLE[rule.endpoint]), (rule.endpoint, methods)


def _values(w) -> dict:
    return {"campaign_id": w.campaign.id, "unit_id": w.unit_a.id, "unit_code": w.unit_a.code, "code": "vi",
            "token": w.token_pending, "finding_id": w.finding.id, "respondent_id": w.pending.id,
            "invitation_id": w.inv_pending.id, "run_id": w.run.id, "fmt": "csv", "proposal_id": w.proposal.id}


#: Per-endpoint URL arguments that differ from the defaults above.
OVERRIDES = {"survey.interview": lambda w: {"respondent_id": w.citizen.id},
             # Its own link: the resend and answer routes before it revoke or use the pending one.
             "mailing.not_me_page": lambda w: {"token": make_token(w.inv_other)}}


def url_for_rule(rule, values) -> str:
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(values[arg]), url)
    return url


def _csrf(client, signed_in: bool) -> str:
    html = client.get("/" if signed_in else "/login").get_data(as_text=True)
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match
    return match.group(1)


def _expectation(endpoint: str, method: str, role: str) -> str:
    allowed = TABLE[endpoint][method]
    if allowed == EVERYONE or role in allowed:
        return "allowed"
    return "login" if role == "anonymous" else "forbidden"


def _check(response, expected, role, what):
    status, location = response.status_code, response.headers.get("Location", "")
    if expected == "login":
        assert status == 302 and "/login" in location, (what, status, location)
    elif expected == "forbidden":
        # focal_other may also get 404 where a unit-A object is looked up through its own scope.
        ok = {403, 404} if role == "focal_other" else {403}
        assert status in ok, (what, status)
    else:
        assert status < 500 and status not in (401, 403, 404, 405), (what, status)
        if what[1] != "/logout":  # signing out lands on the login page by design
            assert "/login" not in location, (what, location)


@pytest.mark.parametrize("role", ROLES)
def test_route_table(app, client, world, role):
    if role != "anonymous":
        login(client, world.users[role])
    base = _values(world)
    gets, posts = [], []
    for rule in sorted(_rules(app), key=lambda r: r.rule):
        values = {**base, **OVERRIDES.get(rule.endpoint, lambda w: {})(world)}
        if "GET" in rule.methods:
            gets.append((rule.endpoint, url_for_rule(rule, values)))
        if "POST" in rule.methods:
            posts.append((rule.endpoint, url_for_rule(rule, values)))
    posts.sort(key=lambda p: (p[0] != "survey.answer", p[0] in POST_LAST, POST_LAST.index(p[0]) if p[0] in POST_LAST else 0))
    for endpoint, url in gets:
        _check(client.get(url), _expectation(endpoint, "GET", role), role, ("GET", url))
    token = _csrf(client, role != "anonymous")
    for endpoint, url in posts:
        response = client.post(url, data={"csrf_token": token})
        _check(response, _expectation(endpoint, "POST", role), role, ("POST", url))
    assert len(gets) + len(posts) >= len(TABLE)


@pytest.mark.parametrize("url", [
    "/progress/campaigns/{c}/api?unit=SO_TP",
    "/progress/campaigns/{c}/api?unit_id={a}",
    "/lists/campaigns/{c}/units/SO_TP",
    "/lists/campaigns/{c}/units/SO_TP/export.xlsx",
    "/progress/campaigns/{c}/units/SO_TP",
])
def test_focal_of_another_unit_refused_on_unit_scoped_queries(client, world, url):
    login(client, world.users["focal_other"])
    response = client.get(url.format(c=world.campaign.id, a=world.unit_a.id))
    assert response.status_code == 403


def test_focal_pages_do_not_show_another_units_people(client, world):
    """Campaign-wide pages a focal account may open list only its own units' respondents."""
    login(client, world.users["focal_other"])
    c = world.campaign.id
    for url in (f"/lists/campaigns/{c}", f"/progress/campaigns/{c}", f"/mailing/campaigns/{c}/addresses",
                f"/progress/campaigns/{c}/api", f"/progress/campaigns/{c}/export.csv",
                f"/index/campaigns/{c}/assessments"):
        body = client.get(url).get_data(as_text=True)
        for person in (world.answered, world.pending, world.citizen):
            assert person.full_name not in body, url
            assert (person.email or "@@") not in body, url


def test_enumerator_cannot_open_an_unassigned_interview(client, world):
    login(client, world.users["enumerator"])
    c = world.campaign.id
    for unit, person in ((world.unit_b, world.other), (world.unit_a, world.pending)):
        assert client.get(f"/survey/campaigns/{c}/units/{unit.code}/interviews/{person.id}").status_code in (403, 404)


def test_unknown_campaign_is_404_for_staff(client, world):
    login(client, world.users["admin"])
    assert client.get("/progress/campaigns/999999").status_code == 404
    assert client.get("/lists/campaigns/999999/units/SO_TP").status_code == 404

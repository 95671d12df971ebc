"""Old addresses (app/legacy_urls.py) answer 308 with the new one — only to whom the new one admits.

OLD -> NEW is written by hand here, not read from the table: a missing, extra or wrong row fails.
Whom the role policy refuses gets what the new address gives (login page, 403). A row that only
rewrites the path looks nothing up, so it tells nothing the URL did not say: a focal account of
another unit gets the 308, then the new address's 403. The rows that look a unit up by its old
id answer like their target (403 outside the account's units, 404 outside the campaign).
"""
import pytest

from app.extensions import db
from app.legacy_urls import MOVED, PREFIX
from app.models import Unit
from tests.conftest import login

from .test_route_table import ROLES, TABLE, _check, _csrf, _expectation

#: (method, old, new, endpoint); {c} campaign, {a}/{aid} unit A's code/id, {r} run, {p} pending person,
#: {i} its invitation, {q} address proposal, {n} the enumerator's citizen.
OLD_NEW = [
    ("GET", "/lists/{c}", "/lists/campaigns/{c}", "lists.index"),
    ("GET", "/lists/{c}/{a}", "/lists/campaigns/{c}/units/{a}", "lists.unit_list"),
    ("GET", "/lists/{c}/{a}/template.xlsx", "/lists/campaigns/{c}/units/{a}/template.xlsx", "lists.template"),
    ("GET", "/lists/{c}/{a}/errors.xlsx", "/lists/campaigns/{c}/units/{a}/errors.xlsx", "lists.errors"),
    ("GET", "/lists/{c}/{a}/export.xlsx", "/lists/campaigns/{c}/units/{a}/export.xlsx", "lists.export"),
    ("POST", "/lists/{c}/{a}/upload", "/lists/campaigns/{c}/units/{a}/upload", "lists.upload"),
    ("GET", "/lists/{c}/{a}/people/{p}", "/lists/campaigns/{c}/units/{a}/people/{p}", "lists.edit_person"),
    ("POST", "/lists/{c}/{a}/people/{p}", "/lists/campaigns/{c}/units/{a}/people/{p}", "lists.edit_person"),
    ("POST", "/lists/{c}/{a}/people/{p}/delete", "/lists/campaigns/{c}/units/{a}/people/{p}/delete",
     "lists.delete_person"),
    ("POST", "/lists/{c}/{a}/submit", "/lists/campaigns/{c}/units/{a}/submit", "lists.submit_list"),
    ("POST", "/lists/{c}/{a}/approve", "/lists/campaigns/{c}/units/{a}/approve", "lists.approve_list"),
    ("POST", "/lists/{c}/{a}/return", "/lists/campaigns/{c}/units/{a}/return", "lists.return_"),
    ("POST", "/lists/{c}/{a}/sample", "/lists/campaigns/{c}/units/{a}/sample", "lists.sample"),
    ("POST", "/lists/{c}/{a}/enumerator", "/lists/campaigns/{c}/units/{a}/enumerator", "lists.enumerator"),
    ("POST", "/lists/{c}/{a}/clear", "/lists/campaigns/{c}/units/{a}/clear", "lists.clear"),
    ("GET", "/campaigns/{c}/addresses", "/mailing/campaigns/{c}/addresses", "mailing.addresses"),
    ("POST", "/campaigns/{c}/invitations/{i}/address-proposal",
     "/mailing/campaigns/{c}/invitations/{i}/address-proposal", "mailing.propose_address"),
    ("POST", "/campaigns/{c}/address-proposals/{q}/decision", "/mailing/campaigns/{c}/address-proposals/{q}/decision",
     "mailing.decide_proposal"),
    ("POST", "/campaigns/{c}/respondents/{p}/address", "/mailing/campaigns/{c}/respondents/{p}/address",
     "mailing.change_address"),
    ("POST", "/campaigns/{c}/invitations/{i}/resend", "/mailing/campaigns/{c}/invitations/{i}/resend", "mailing.resend"),
    ("GET", "/campaigns/{c}/invitations", "/mailing/campaigns/{c}/invitations", "mailing.invitations"),
    ("POST", "/campaigns/{c}/invitations/send", "/mailing/campaigns/{c}/invitations/send", "mailing.send_invitations"),
    ("POST", "/campaigns/{c}/reminders/send", "/mailing/campaigns/{c}/reminders/send", "mailing.send_reminders"),
    ("POST", "/campaigns/{c}/mail-templates", "/mailing/campaigns/{c}/mail-templates", "mailing.save_template"),
    ("GET", "/campaigns/{c}/mail-setup", "/mailing/campaigns/{c}/mail-setup", "mailing.mail_setup"),
    ("POST", "/campaigns/{c}/mail-setup", "/mailing/campaigns/{c}/mail-setup", "mailing.mail_setup"),
    ("POST", "/campaigns/{c}/mail-setup/test", "/mailing/campaigns/{c}/mail-setup/test", "mailing.send_test_mail"),
    ("GET", "/campaigns/{c}/replies", "/mailing/campaigns/{c}/replies", "mailing.replies"),
    ("GET", "/dev-mail", "/mailing/dev-mail", "mailing.dev_mailbox"),
    ("GET", "/progress/api/campaigns/{c}", "/progress/campaigns/{c}/api", "progress.api"),
    ("GET", "/progress/api/campaigns/{c}/outbox", "/progress/campaigns/{c}/api/outbox", "progress.api_outbox"),
    ("GET", "/progress/campaigns/{c}/units/{aid}", "/progress/campaigns/{c}/units/{a}", "progress.unit"),
    ("POST", "/progress/campaigns/{c}/units/{aid}/remind", "/progress/campaigns/{c}/units/{a}/remind",
     "progress.remind"),
    ("GET", "/index/{c}", "/index/campaigns/{c}", "index.overview"),
    ("POST", "/index/{c}/compute", "/index/campaigns/{c}/compute", "index.compute"),
    ("GET", "/index/{c}/runs/{r}", "/index/campaigns/{c}/runs/{r}", "index.run"),
    ("GET", "/index/{c}/runs/{r}/workbook.xlsx", "/index/campaigns/{c}/runs/{r}/workbook.xlsx", "index.workbook"),
    ("GET", "/index/{c}/runs/{r}/ranking.csv", "/index/campaigns/{c}/runs/{r}/ranking.csv", "index.ranking_csv"),
    ("GET", "/index/{c}/runs/{r}/robustness", "/index/campaigns/{c}/runs/{r}/robustness", "index.robustness_view"),
    ("GET", "/index/{c}/runs/{r}/units/{a}", "/index/campaigns/{c}/runs/{r}/units/{a}", "index.unit_profile_view"),
    ("GET", "/index/{c}/assessments", "/index/campaigns/{c}/assessments", "index.assessments"),
    ("POST", "/index/{c}/assessments", "/index/campaigns/{c}/assessments", "index.assessments"),
    ("GET", "/index/{c}/assessments/template.xlsx", "/index/campaigns/{c}/assessments/template.xlsx",
     "index.assessments_template"),
    ("GET", "/survey/campaigns/{c}/interviews/{n}/{aid}", "/survey/campaigns/{c}/units/{a}/interviews/{n}",
     "survey.interview"),
    ("POST", "/survey/campaigns/{c}/interviews/{n}/{aid}", "/survey/campaigns/{c}/units/{a}/interviews/{n}",
     "survey.interview"),
]


#: Endpoints whose old rule looks the unit up by id (the others only rewrite the path).
LOOKED_UP = {"progress.unit", "progress.remind", "survey.interview"}


def _fill(w, template: str) -> str:
    return template.format(c=w.campaign.id, a=w.unit_a.code, aid=w.unit_a.id, r=w.run.id, p=w.pending.id,
                           i=w.inv_pending.id, q=w.proposal.id, n=w.citizen.id)


def test_the_table_here_and_the_app_agree(app):
    """Every moved endpoint has its rows here, with its methods; every old rule keeps its target's roles."""
    old_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith(PREFIX)]
    assert len(old_rules) == len(MOVED)
    targets = {PREFIX + m.endpoint.replace(".", "_"): m.endpoint for m in MOVED}
    for rule in old_rules:
        target = targets[rule.endpoint]
        assert rule.methods - {"HEAD", "OPTIONS"} == set(TABLE[target]), rule.rule
        assert app.view_functions[rule.endpoint].allowed_roles == app.view_functions[target].allowed_roles
    moved = set(targets.values())
    assert {(row[0], row[3]) for row in OLD_NEW} == {(method, e) for e in moved for method in TABLE[e]}


@pytest.mark.parametrize("role", ROLES)
def test_old_addresses_redirect_only_whom_the_new_one_admits(client, world, role):
    if role != "anonymous":
        login(client, world.users[role])
    token = _csrf(client, role != "anonymous")
    for method, old, new, endpoint in OLD_NEW:
        old, new = _fill(world, old), _fill(world, new)
        response = client.get(old) if method == "GET" else client.post(old, data={"csrf_token": token})
        as_role = "focal" if role == "focal_other" and endpoint not in LOOKED_UP else role
        expected = _expectation(endpoint, method, as_role)
        if expected == "allowed":
            assert response.status_code == 308, (method, old, response.status_code)
            assert response.headers["Location"] == new, (method, old)
        else:
            _check(response, expected, role, (method, old))


def test_the_redirect_keeps_the_query_and_lands(client, world):
    login(client, world.users["admin"])
    c = world.campaign.id
    response = client.get(f"/progress/api/campaigns/{c}?unit=SO_TP&group=x")
    assert response.headers["Location"] == f"/progress/campaigns/{c}/api?unit=SO_TP&group=x"
    assert client.get(f"/lists/{c}/SO_TP", follow_redirects=True).request.path == f"/lists/campaigns/{c}/units/SO_TP"
    assert client.get(f"/progress/campaigns/{c}/units/{world.unit_a.id}", follow_redirects=True).status_code == 200


def test_an_old_unit_id_outside_the_campaign_or_the_account_tells_nothing(client, world):
    login(client, world.users["focal_other"])
    c = world.campaign.id
    assert client.get(f"/progress/campaigns/{c}/units/{world.unit_a.id}").status_code == 403
    assert client.get(f"/progress/campaigns/{c}/units/999999").status_code == 404
    assert client.get(f"/progress/campaigns/{c}/units/{world.unit_b.id}").status_code == 308


def test_a_unit_code_made_of_digits_is_served_not_redirected(client, world):
    """`/progress/…/units/4242` matches the old id rule too: a unit with that code is served as it is."""
    unit = Unit(campaign_id=world.campaign.id, code="4242", name="Đơn vị mã số", kind="department")
    db.session.add(unit)
    db.session.commit()
    assert unit.id != 4242
    login(client, world.users["admin"])
    page = client.get(f"/progress/campaigns/{world.campaign.id}/units/4242")
    assert page.status_code == 200 and "Đơn vị mã số" in page.get_data(as_text=True)

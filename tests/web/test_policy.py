"""Role policy on every registered route: route × role → allowed / 403 / redirect to login."""
import re

import pytest

from app.core.policy import ANY_USER, PUBLIC
from tests.conftest import login

ROLES = ("admin", "coordinator", "focal", "enumerator")


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule


def test_every_route_declares_who_may_use_it(app):
    missing = [r.endpoint for r in _routes(app) if getattr(app.view_functions[r.endpoint], "allowed_roles", None) is None]
    assert missing == []


def test_undeclared_route_is_refused(app, client, make_user):
    # A view without a declared policy is refused, even for an admin (fail closed).
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    login(client, make_user("admin"))
    assert client.get("/undeclared").status_code == 403


def _url(rule, values):
    url = rule.rule
    for arg in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(values.get(arg, 1)), url)
    return url


@pytest.mark.parametrize("role", ROLES + ("anonymous",))
def test_route_table(app, client, make_user, make_campaign, role):
    campaign = make_campaign()
    unit = campaign.units[0]
    values = {"campaign_id": campaign.id, "unit_id": unit.id, "unit_code": unit.code, "code": "vi",
              "token": "x.y.z", "finding_id": 1, "respondent_id": 1, "invitation_id": 1, "message_id": "1",
              "run_id": 1, "name": "x"}
    if role != "anonymous":
        login(client, make_user(role, units=[unit.code] if role in ("focal", "enumerator") else ()))
    checked = 0
    for rule in _routes(app):
        if "GET" not in rule.methods:
            continue
        roles = app.view_functions[rule.endpoint].allowed_roles
        response = client.get(_url(rule, values))
        location = response.headers.get("Location", "")
        if PUBLIC in roles:
            expected = "allowed"
        elif role == "anonymous":
            expected = "login"
        elif ANY_USER in roles or role in roles:
            expected = "allowed"
        else:
            expected = "forbidden"
        if expected == "login":
            assert response.status_code == 302 and "/login" in location, rule.rule
        elif expected == "forbidden":
            assert response.status_code == 403, rule.rule
        else:
            assert response.status_code != 403 and "/login" not in location, (rule.rule, response.status_code)
        checked += 1
    assert checked >= 5


def test_post_routes_need_csrf(app, client, make_user, make_campaign):
    campaign = make_campaign()
    login(client, make_user("admin"))
    refused = 0
    for rule in _routes(app):
        if "POST" not in rule.methods or rule.arguments - {"campaign_id"}:
            continue
        response = client.post(_url(rule, {"campaign_id": campaign.id}), data={})
        assert response.status_code == 400, rule.rule
        refused += 1
    assert refused >= 3

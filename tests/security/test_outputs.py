"""What the product writes out: spreadsheets never run a formula, pages never run a payload,
and nothing joins a respondent's identity to their answers."""
import csv
import io
import re

import pytest
from markupsafe import escape
from openpyxl import load_workbook

from app.extensions import db
from app.models import Campaign
from tests.conftest import csrf_token, login
from tests.security.conftest import open_list
from tests.security.test_route_table import OVERRIDES, TABLE, _values, url_for_rule

FORMULAS = ('=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)")
XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>')
DOWNLOADS = {"lists.errors", "lists.export", "lists.template", "progress.export", "index.workbook",
             "index.ranking_csv", "index.assessments_template"}


def _get_pages(app, w):
    """Every GET page (not downloads) with its URL filled from the seeded campaign."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in TABLE and "GET" in rule.methods and rule.endpoint not in DOWNLOADS:
            values = {**_values(w), **OVERRIDES.get(rule.endpoint, lambda _: {})(w)}
            yield rule.endpoint, url_for_rule(rule, values)


def _downloads(app, w):
    c, a, r = w.campaign.id, w.unit_a.code, w.run.id
    return [f"/lists/campaigns/{c}/units/{a}/errors.xlsx", f"/lists/campaigns/{c}/units/{a}/export.xlsx",
            f"/lists/campaigns/{c}/units/{a}/template.xlsx",
            f"/progress/campaigns/{c}/export.xlsx", f"/progress/campaigns/{c}/export.csv",
            f"/index/campaigns/{c}/runs/{r}/workbook.xlsx", f"/index/campaigns/{c}/runs/{r}/ranking.csv",
            f"/index/campaigns/{c}/assessments/template.xlsx"]


def _upload_bad_list(client, w, name):
    """A list upload with errors, so that the error workbook carries what the focal unit typed."""
    body = ("Họ và tên,Chức vụ,Cơ quan,Thư điện tử,Điện thoại,Nhóm\n"
            f"{name},{name},{name},khong-phai-email,{name},KHONG_CO\n").encode()
    open_list(w)
    client.post(f"/lists/campaigns/{w.campaign.id}/units/{w.unit_a.code}/upload",
                data={"csrf_token": csrf_token(client, "/"), "u-mode": "append", "u-file": (io.BytesIO(body), "ds.csv")},
                content_type="multipart/form-data")


def _cells(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


@pytest.mark.parametrize("payload", FORMULAS)
def test_formula_injection_neutralised_in_every_export(app, client, seed_world, payload):
    w = seed_world(unit_names=(payload, "Sở Nội vụ " + payload), names=(payload,) * 4, campaign_name=payload,
                   text=payload)
    login(client, w.users["admin"])
    _upload_bad_list(client, w, payload)
    seen = 0
    for url in _downloads(app, w):
        response = client.get(url)
        assert response.status_code == 200, url
        data = response.get_data()
        if url.endswith(".csv"):
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
                for value in row:
                    assert not value.startswith(("=", "+", "@")) and not re.match(r"-[^\d]", value), (url, value)
                    seen += value.lstrip("'").startswith(payload) and value.startswith("'")
        else:
            for cell in _cells(data):
                assert cell.data_type != "f", (url, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(payload):
                    assert cell.data_type == "s"
                    seen += 1
    assert seen >= 5  # the payload did reach the exports (as text)


def test_progress_csv_prefixes_a_unit_name_formula(app, client, seed_world):
    w = seed_world(unit_names=('=HYPERLINK("http://x","y")', "Sở Nội vụ"))
    login(client, w.users["admin"])
    text = client.get(f"/progress/campaigns/{w.campaign.id}/export.csv").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize("payload", XSS)
def test_stored_xss_rendered_escaped_on_every_page(app, client, seed_world, payload):
    from app.interference_review.services import decide
    from app.lists.state import return_list

    w = seed_world(unit_names=(payload, "Sở " + payload), names=(payload,) * 4, campaign_name=payload, text=payload)
    campaign = db.session.get(Campaign, w.campaign.id)
    campaign.mail_templates = {"invitation": {"subject": payload, "body": payload + " {duong_dan}"}}
    return_list(campaign, w.unit_b, payload, actor=w.users["admin"])
    decide(w.finding, "dismiss", payload, actor=w.users["admin"])
    db.session.commit()
    shown = 0
    for role in ("admin", "coordinator", "focal", "enumerator"):
        login(client, w.users[role])
        if role == "focal":
            _upload_bad_list(client, w, payload)
        for endpoint, url in _get_pages(app, w):
            if role not in TABLE[endpoint]["GET"] and TABLE[endpoint]["GET"] != "*":
                continue
            response = client.get(url, follow_redirects=True)
            if response.mimetype == "application/json":
                # JSON is data, not markup: served as application/json with nosniff, never as a page.
                assert response.headers["X-Content-Type-Options"] == "nosniff"
                continue
            html = response.get_data(as_text=True)
            assert payload not in html, (role, url)
            shown += escape(payload) in html
    assert shown >= 20  # the payload is on the pages, escaped
    # The respondent's own page shows the campaign name escaped too.
    client.get("/")
    assert payload not in client.get(f"/s/{w.token_pending}").get_data(as_text=True)


def test_mail_html_and_dev_mailbox_escape_names_and_templates(app, client, runner, seed_world):
    from app.mailing.composer import Link, render
    from app.mailing.services import queue_invitations

    payload = XSS[1]
    mail = render({"subject": payload, "body": payload + "\n{ho_ten} {don_vi} {duong_dan}"}, payload,
                  [Link(payload, "http://127.0.0.1/s/abc"), Link("B", "http://127.0.0.1/s/def")], payload, payload)
    assert payload not in mail.html and "&lt;img" in mail.html
    w = seed_world(unit_names=(payload, "Sở Nội vụ"), names=(payload,) * 4)
    queue_invitations(db.session.get(Campaign, w.campaign.id))
    db.session.commit()
    assert runner.invoke(args=["mail", "drain"]).exit_code == 0
    login(client, w.users["admin"])
    html = client.get("/mailing/dev-mail").get_data(as_text=True)
    assert payload not in html


ANSWER = "Câu trả lời riêng của người đã trả lời 7731"


@pytest.fixture
def answer_world(seeded, seed_world):
    """The world whose answered respondent wrote ANSWER, seeded once for this module."""
    return seeded("answer", lambda: seed_world(text=ANSWER))


def _texts_of(response) -> list[str]:
    """The readable texts of a page or export (xlsx cells, csv, JSON, HTML)."""
    data = response.get_data()
    if data[:2] == b"PK":
        return [" ".join(str(c.value) for c in _cells(data) if c.value is not None)]
    return [data.decode("utf-8", "replace")]


def test_no_route_or_export_joins_a_respondent_to_their_answers(app, client, answer_world):
    w = answer_world
    identity = (w.answered.full_name, w.answered.email)
    checked = 0
    for role in ("admin", "coordinator", "focal", "enumerator"):
        login(client, w.users[role])
        urls = [u for e, u in _get_pages(app, w) if TABLE[e]["GET"] == "*" or role in TABLE[e]["GET"]]
        urls += _downloads(app, w) + [f"/progress/campaigns/{w.campaign.id}/api?unit=SO_TP"]
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            for text in _texts_of(response):
                if ANSWER in text:
                    assert not any(i in text for i in identity), (role, url)
                checked += 1
    assert checked > 40
    # The answered link itself shows no answers back (a forwarded link does not reveal them).
    client.get("/")
    assert ANSWER not in client.get(f"/s/{w.token_answered}").get_data(as_text=True)


def test_focal_units_never_see_answer_texts(app, client, answer_world):
    w = answer_world
    for role in ("focal", "focal_other", "enumerator"):
        login(client, w.users[role])
        for endpoint, url in _get_pages(app, w):
            if role in TABLE[endpoint]["GET"] or TABLE[endpoint]["GET"] == "*":
                assert ANSWER not in client.get(url).get_data(as_text=True), (role, url)


def test_cli_has_no_command_printing_per_respondent_answers(app, runner, answer_world):
    w = answer_world
    outputs = []
    for args in (["progress", "show", "--campaign", str(w.campaign.id), "--json"],
                 ["interference", "scan", "--campaign", str(w.campaign.id), "--json"],
                 ["campaigns", "list", "--json"], ["units", "list", "--campaign", str(w.campaign.id), "--json"]):
        result = runner.invoke(args=args)
        outputs.append(result.output)
    joined = "\n".join(outputs)
    assert w.answered.full_name not in joined or ANSWER not in joined
    assert ANSWER not in joined
    names = {c.name for c in app.cli.commands.values()}
    assert not names & {"responses", "answers", "export-answers"}
    for group in app.cli.commands.values():
        for sub in getattr(group, "commands", {}):
            assert "answer" not in sub and "response" not in sub, (group.name, sub)

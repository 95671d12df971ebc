"""Issue 13: every stored finding names the unit its responses belong to (checked against
the database), on responses written in database order with units interleaved; the CLI JSON
and the evidence page carry the unit's code, name and number of sheets."""
import json
from datetime import timedelta

import numpy as np
from sqlalchemy import select

from app.core.schemes import questionnaire
from app.extensions import db
from app.models import Finding, Group, Response, Unit
from tests.conftest import login

from .conftest import T0


def _varied(campaign, group_code, rng):
    """Honest answers: every choice item on a random option."""
    group = db.session.scalar(select(Group).where(Group.campaign_id == campaign.id, Group.code == group_code))
    items = [i for i in questionnaire(campaign.scheme_code, group.questionnaire_code).items if i.type == "choice"]
    return {i.code: i.options[int(rng.integers(len(i.options)))].code for i in items}


def _interleaved(campaign, make_response):
    """Database order SO_TP, SO_NV, SO_TP, H_DA, SO_TP, …: SO_TP's sheets are copies of one
    sheet; SO_NV's sheets come from one browser; H_DA is honest."""
    pattern = ["SO_TP", "SO_NV", "SO_TP", "H_DA", "SO_TP", "SO_NV", "H_DA", "SO_NV"]
    rng = np.random.default_rng(13)
    for k in range(32):
        unit = pattern[k % len(pattern)]
        group = "LD_HUYEN" if unit == "H_DA" else "LD_SO"
        at = T0 + timedelta(hours=7 * k)
        if unit == "SO_TP" and k < 16:
            make_response(campaign, unit, group, seed=4242, at=at)  # the copied sheet
        elif unit == "SO_NV" and k < 8:
            make_response(campaign, unit, group, _varied(campaign, group, rng), device_hash="one-pc",
                          net_hash="net-x", net_prefix_hash="pre-x", at=T0 + timedelta(days=9, minutes=4 * k))
        else:
            make_response(campaign, unit, group, _varied(campaign, group, rng), at=at)
    db.session.commit()


def test_findings_name_the_unit_of_their_responses(campaign, make_response, runner):
    _interleaved(campaign, make_response)
    result = runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    rows = payload["findings"]
    assert {(r["unit"], r["rule"]) for r in rows} == {("SO_TP", "near_duplicate"),
                                                      ("SO_NV", "same_device")}
    names = dict(db.session.execute(select(Unit.code, Unit.name).where(Unit.campaign_id == campaign.id)).all())
    for r in rows:
        assert r["unit_code"] == r["unit"] and r["unit_name"] == names[r["unit"]]
        assert r["sheets"] == len(r["response_ids"]) and r["small_unit"] is False
        owners = set(db.session.scalars(select(Unit.code).join(Response, Response.unit_id == Unit.id)
                                        .where(Response.id.in_(r["response_ids"]))))
        assert owners == {r["unit"]}, r
        assert r["unit_sheets"] == db.session.scalar(
            select(db.func.count(Response.id)).join(Unit, Unit.id == Response.unit_id)
            .where(Unit.code == r["unit"], Response.campaign_id == campaign.id))
    for f in db.session.scalars(select(Finding).where(Finding.campaign_id == campaign.id)):
        units = set(db.session.scalars(select(Response.unit_id).where(Response.id.in_(f.response_ids))))
        assert units == {f.unit_id}


def test_evidence_page_shows_unit_code_name_and_sheets(campaign, make_response, runner, client,
                                                       make_user):
    _interleaved(campaign, make_response)
    runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id)])
    finding = db.session.scalar(select(Finding).where(Finding.campaign_id == campaign.id,
                                                      Finding.rule == "near_duplicate"))
    login(client, make_user("coordinator"))
    html = client.get(f"/interference/campaigns/{campaign.id}/findings/{finding.id}").get_data(as_text=True)
    assert "SO_TP · Sở Tư pháp" in html
    n = len(finding.response_ids)
    total = db.session.scalar(select(db.func.count(Response.id)).where(Response.unit_id == finding.unit_id))
    assert f"{n} phiếu trong phát hiện, trên tổng số {total} phiếu của đơn vị" in html
    assert 'id="small-unit"' not in html
    listing = client.get(f"/interference/campaigns/{campaign.id}").get_data(as_text=True)
    assert "SO_TP · Sở Tư pháp" in listing and "SO_NV · Sở Nội vụ" in listing


def test_small_unit_note_is_said_on_the_page_and_in_the_json(campaign, make_response, runner,
                                                              client, make_user):
    # H_DA: 4 of its 5 sheets moved — a high share, but far too few sheets to conclude.
    rng = np.random.default_rng(14)
    for k in range(24):
        make_response(campaign, "SO_NV" if k % 2 else "SO_TP", "LD_SO", _varied(campaign, "LD_SO", rng),
                      at=T0 + timedelta(hours=5 * k))
    for k in range(5):
        make_response(campaign, "H_DA", "LD_HUYEN", _varied(campaign, "LD_HUYEN", rng), moved_network=k < 4,
                      at=T0 + timedelta(hours=3 + 11 * k))
    db.session.commit()
    payload = json.loads(runner.invoke(args=["interference", "scan", "--campaign", str(campaign.id),
                                             "--json"]).output)
    (row,) = [r for r in payload["findings"] if r["rule"] == "forwarded"]
    assert row["unit"] == "H_DA" and row["small_unit"] is True and row["severity"] == "low"
    assert row["sheets"] == 4 and row["unit_sheets"] == 5
    risk = {r["unit"]: r for r in payload["unit_risk"]}
    assert risk["H_DA"]["level"] in ("none", "watch")
    login(client, make_user("coordinator"))
    html = client.get(f"/interference/campaigns/{campaign.id}/findings/{row['id']}").get_data(as_text=True)
    assert 'id="small-unit"' in html and "quá ít để kết luận" in html

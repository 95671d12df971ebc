"""The dashboard's figures against a campaign with known counts in every state."""
from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Invitation, Respondent, utcnow
from app.progress.services import (Counts, ProgressError, campaign_progress, parse_filters, read_counters, recount,
                                   recount_per_day)

from .conftest import CELLS, TODAY, TOTALS, UNITS


def test_figures_per_unit_group_and_totals(known):
    progress = campaign_progress(known.campaign)
    by_code = {r.unit.code: r for r in progress.units}
    assert {code: by_code[code].counts for code in UNITS} == {code: Counts(*v) for code, v in UNITS.items()}
    cells = {(r.unit.code, g.group.code): g.counts for r in progress.units for g in r.groups}
    assert cells == {k: Counts(*v) for k, v in CELLS.items()}
    assert progress.totals == Counts(*TOTALS)
    assert by_code["SO_TP"].counts.rate == pytest.approx(30.0)
    assert by_code["SO_NV"].counts.rate == pytest.approx(50.0)
    assert by_code["H_DA"].counts.rate is None
    assert progress.per_day == [(TODAY - timedelta(days=2), 1), (TODAY - timedelta(days=1), 3)]
    groups = {g.group.code: g.counts for g in progress.by_group}
    assert groups["LD_SO"] == Counts(12, 10, 9, 6, 2, 4, 3, 3)


def test_counters_equal_a_direct_count_after_every_kind_of_change(known):
    inv = known.invitations
    inv["p1"].status = "queued"                       # ORM update
    db.session.flush()
    db.session.execute(db.update(Invitation).where(Invitation.id.in_([inv["p2"].id, inv["p3"].id]))
                       .values(status="sent", sent_at=utcnow()))  # bulk update, as the mail worker does
    inv["p4"].answered_on = TODAY                      # answered
    inv["p5"].revoked_at = utcnow()                    # revoked: leaves every figure
    inv["p9"].revoked_at = None                        # reissued
    inv["q2"].reminder_count = 3
    db.session.flush()
    db.session.delete(inv["p8"])                       # invitation deleted
    db.session.delete(known.people["q1"])              # respondent deleted with its invitation
    known.people["p10"].unit_id = known.units["H_DA"].id  # moved to another list
    db.session.commit()
    db.session.expire_all()
    counters = {k: v for k, v in read_counters(known.campaign).items()}
    direct = {k: v for k, v in recount(known.campaign).items() if v != Counts()}
    assert counters == direct
    assert campaign_progress(known.campaign).per_day == recount_per_day(known.campaign)


def test_filters_and_sorting(known):
    def codes(**args):
        return [r.unit.code for r in campaign_progress(known.campaign, filters=parse_filters(MultiDict(args))).units]

    assert codes(rate_below="40") == ["H_DA", "SO_TP"]     # no invitations yet = behind too
    assert codes(kind="district") == ["H_DA"]
    assert codes(sort="-rate") == ["SO_NV", "SO_TP", "H_DA"]
    assert codes(sort="answered") == ["H_DA", "SO_NV", "SO_TP"]
    only_citizens = campaign_progress(known.campaign, filters=parse_filters(
        MultiDict({"group": str(known.groups["NGUOI_DAN"].id)})))
    assert [r.unit.code for r in only_citizens.units] == ["SO_TP"]
    assert only_citizens.totals == Counts(2, 2, 2, 0, 0, 0, 1, 0)


@pytest.mark.parametrize("args, word", [({"rate_below": "abc"}, "abc"), ({"group": "x1"}, "x1"),
                                        ({"rate_below": "150"}, "150"), ({"sort": "secret"}, "secret")])
def test_bad_filters_say_which(args, word):
    with pytest.raises(ProgressError, match=word):
        parse_filters(MultiDict(args))


def test_focal_scope_limits_the_units(known):
    progress = campaign_progress(known.campaign, [known.units["SO_NV"].id])
    assert [r.unit.code for r in progress.units] == ["SO_NV"]
    assert progress.totals == Counts(*UNITS["SO_NV"])
    assert progress.per_day == [(TODAY - timedelta(days=1), 1)]
    assert db.session.scalar(db.select(db.func.count()).select_from(Respondent)) == 14

"""The world is seeded once per module (tests/snapshot.py): its rows and trigger-kept counters
come back as they were, and new rows still get new ids."""
from app.extensions import db
from app.models import Campaign, ProgressCounter
from tests import snapshot
from tests.conftest import _truncate


def test_rows_come_back_with_their_ids_and_counters_and_new_ids_follow(app, seed_world, make_campaign):
    world = snapshot.recipe(seed_world())
    db.session.commit()
    rows = snapshot.take()
    assert rows[ProgressCounter.__tablename__] and rows["responses"] and rows["users"]
    db.session.remove()
    _truncate()
    snapshot.restore(rows)
    assert snapshot.take() == rows  # the counters were not counted again by the triggers
    again = snapshot.load(world)
    assert again.unit_a.code == "SO_TP" and again.users["focal"].email == "daumoi.sotp@so.gov.vn"
    newer = make_campaign(units=[("X", "Đơn vị X", "department")], name="Kỳ sau")
    assert newer.id > again.campaign.id
    assert db.session.scalar(db.select(db.func.count()).select_from(Campaign)) == 2

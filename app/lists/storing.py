"""Storing an imported list: the kept rows become respondents and targets in bulk.

The reading, checking and de-duplication are importer.py's; this module only writes, in the
import's transaction, with the progress counters counted once per batch (app/models/counters.py).
"""
from itertools import repeat

from sqlalchemy import func, insert, select

from app.core.bulk import insert_rows
from app.extensions import db
from app.models import Respondent, RespondentTarget, Unit, User, UserScope, utcnow
from app.models.counters import counted_in_batch


def _unit_enumerator(unit: Unit) -> int | None:
    """The unit's enumerator when exactly one enumerator account is scoped to it."""
    ids = db.session.scalars(select(User.id).join(UserScope).where(
        User.role == "enumerator", UserScope.unit_code == unit.code)).all()
    return ids[0] if len(ids) == 1 else None


#: Each new respondent's own values (the RECORD of importer.Candidate in the middle), then the
#: values every respondent of one import shares.
RESPONDENT_COLUMNS = ("group_id", "full_name", "position", "organisation", "email", "phone", "address", "source_row",
                      "enumerator_id")
SHARED_COLUMNS = ("campaign_id", "unit_id", "email_status", "created_at")


def store_candidates(campaign, unit: Unit, kept: list) -> int:
    """Bulk insert of the kept rows (importer.Candidate) as respondents and their targets: COPY on
    PostgreSQL, executemany on SQLite (app/core/bulk.py) — never an ORM object per row. Returns how
    many respondents are new (the others only gained targets)."""
    fresh = [c for c in kept if c.stored_id is None]
    if fresh:
        # No RETURNING over 100 000 rows: the new rows are found again by id above the unit's old
        # maximum; the list row is locked, so only this import adds to this unit.
        before = db.session.scalar(select(func.max(Respondent.id)).where(Respondent.unit_id == unit.id)) or 0
        with counted_in_batch(db.session.connection(), "respondents", "unit_id = :u AND id > :before",
                              u=unit.id, before=before):
            rows, shared = _respondent_rows(campaign, unit, fresh)
            insert_rows(Respondent.__table__, RESPONDENT_COLUMNS, rows, same=dict(zip(SHARED_COLUMNS, shared)))
        _store_fresh_targets(unit, fresh, before)
    insert_rows(RespondentTarget.__table__, ("respondent_id", "unit_id"), [
        (cand.stored_id, uid) for cand in kept if cand.stored_id is not None for uid in sorted(cand.targets)])
    return len(fresh)


def _respondent_rows(campaign, unit: Unit, fresh: list) -> tuple:
    """The RESPONDENT_COLUMNS tuple of each new respondent, built column by column (C-level zip,
    not a tuple unpacked per row), and the SHARED_COLUMNS values. The queries run here, before
    the rows are streamed: none may run during a COPY."""
    enumerator = _unit_enumerator(unit)
    group_ids = {group: group.id for group in {c.group for c in fresh}}
    groups = [group_ids[c.group] for c in fresh]
    records = list(zip(*[c.record for c in fresh]))  # RECORD order: name, position, organisation, e-mail, phone, address
    enumerators = repeat(None) if enumerator is None else [None if email else enumerator for email in records[3]]
    rows = zip(groups, *records, [c.row for c in fresh], enumerators)
    return rows, (campaign.id, unit.id, "ok", utcnow())


def _store_fresh_targets(unit: Unit, fresh: list, before: int) -> None:
    """Targets of the new respondents. When every one assesses only the own unit (nearly every
    list), one INSERT … SELECT on the server: no ids read back, no row built in Python."""
    own = frozenset((unit.id,))
    if all(c.targets == own for c in fresh):
        db.session.execute(insert(RespondentTarget).from_select(
            ["respondent_id", "unit_id"], select(Respondent.id, Respondent.unit_id)
            .where(Respondent.unit_id == unit.id, Respondent.id > before).order_by(Respondent.id)))
        return
    ids = dict(db.session.execute(select(Respondent.source_row, Respondent.id)
                                  .where(Respondent.unit_id == unit.id, Respondent.id > before)).all())
    insert_rows(RespondentTarget.__table__, ("respondent_id", "unit_id"),
                [(ids[cand.row], uid) for cand in fresh for uid in sorted(cand.targets)])

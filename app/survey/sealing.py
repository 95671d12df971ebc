"""Sealed answer sheets: written with the claim, released into `responses` later (docs/ANONYMITY.md).

Why: on PostgreSQL every row written by one transaction carries that transaction's id in the
system column `xmin`. If the response were inserted in the transaction that marks the
invitation answered, `responses.xmin = invitations.xmin` would name the respondent. So the
claim transaction writes the sheet to `sealed_answers` (campaign, unit, group, questionnaire,
answers and paradata — no invitation or respondent id), and the job runner moves sealed sheets
into `responses`/`answers` in another transaction, in random order, deleting the sealed rows in
that same transaction: a sheet is either still sealed or released, never both, never neither.

Release rule (config.py): everything sealed is released once at least SEAL_RELEASE_MIN_SHEETS
sheets are waiting, or once the oldest has waited SEAL_RELEASE_MAX_HOURS, or once the campaign
of a waiting sheet has closed answering. Tests and the demo call `release_sealed(force=True)`.
"""
import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import func

from app.core import clock
from app.extensions import db
from app.models import Answer, Campaign, Response, SealedAnswer, utcnow

log = logging.getLogger("parsurvey.survey.sealing")

#: Response columns a sealed sheet may carry in its paradata (anything else is ignored).
PARADATA_COLUMNS = ("net_hash", "net_prefix_hash", "ua_hash", "device_hash", "duration_s", "moved_network",
                    "moved_device")


def seal(invitation, questionnaire_version: str, rows: list[Answer], mode: str, entered_by_id, submitted_at,
         paradata: dict) -> SealedAnswer:
    """Write one answer sheet to the holding table (caller has claimed the invitation)."""
    sealed = SealedAnswer(campaign_id=invitation.campaign_id, unit_id=invitation.unit_id,
                          group_id=invitation.group_id, questionnaire_code=invitation.questionnaire_code,
                          questionnaire_version=questionnaire_version, mode=mode, entered_by_id=entered_by_id,
                          submitted_at=submitted_at,
                          payload={"answers": [[a.item_code, a.option_code, a.credit, a.text] for a in rows],
                                   "paradata": {k: paradata.get(k) for k in PARADATA_COLUMNS}})
    db.session.add(sealed)
    db.session.flush()
    return sealed


def due(now=None) -> bool:
    """The release rule: enough sheets are waiting, or the oldest has waited long enough, or a
    waiting sheet's campaign has closed answering (no more sheets can join the batch)."""
    count, oldest = db.session.execute(db.select(func.count(SealedAnswer.id), func.min(SealedAnswer.submitted_at))).one()
    if not count:
        return False
    now = now or utcnow()
    config = current_app.config
    if count >= config["SEAL_RELEASE_MIN_SHEETS"] or oldest <= now - timedelta(hours=config["SEAL_RELEASE_MAX_HOURS"]):
        return True
    closed = (db.select(SealedAnswer.id).join(Campaign, Campaign.id == SealedAnswer.campaign_id)
              .where(Campaign.answers_by < clock.today()).limit(1))
    return db.session.scalar(closed) is not None


def _claim_batch(limit: int) -> list[SealedAnswer]:
    query = db.select(SealedAnswer).order_by(SealedAnswer.id).limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # two runners never move the same sheet
    return list(db.session.scalars(query))


def _response_of(sealed: SealedAnswer) -> Response:
    paradata = {k: v for k, v in (sealed.payload.get("paradata") or {}).items() if k in PARADATA_COLUMNS}
    response = Response(campaign_id=sealed.campaign_id, unit_id=sealed.unit_id, group_id=sealed.group_id,
                        questionnaire_code=sealed.questionnaire_code,
                        questionnaire_version=sealed.questionnaire_version, mode=sealed.mode,
                        entered_by_id=sealed.entered_by_id, submitted_at=sealed.submitted_at, **paradata)
    response.answers = [Answer(item_code=item, option_code=option, credit=credit, text=text)
                        for item, option, credit, text in sealed.payload["answers"]]
    return response


def _insert(batch: list[SealedAnswer]) -> list[Response]:
    responses = [_response_of(s) for s in batch]
    for response in responses:  # one at a time: ids are given in this (shuffled) order
        db.session.add(response)
        db.session.flush()
    return responses


def _delete(batch: list[SealedAnswer]) -> None:
    for sealed in batch:
        db.session.delete(sealed)
    db.session.flush()


def release_sealed(force: bool = False, batch_size: int | None = None) -> int:
    """Move sealed sheets into `responses` in shuffled order; commits. Returns how many moved.

    One transaction per batch: insert the responses, delete their sealed rows, commit. A crash
    anywhere before the commit leaves every sheet sealed (rolled back); after it, released.
    """
    batch_size = batch_size or current_app.config["SEAL_RELEASE_BATCH"]
    if not force and not due():
        db.session.rollback()
        return 0
    moved = 0
    while True:
        batch = _claim_batch(batch_size)
        if not batch:
            db.session.rollback()
            break
        random.SystemRandom().shuffle(batch)
        _insert(batch)
        _delete(batch)
        db.session.commit()
        moved += len(batch)
        if len(batch) < batch_size:
            break
    if moved:
        _vacuum()
    return moved


def _vacuum() -> None:
    """PostgreSQL: reclaim the dead sealed tuples now (they hold the claim's xmin next to the
    answers until vacuumed). Best effort: a role that does not own the table only loses this."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM sealed_answers")
    except Exception:  # noqa: BLE001 - logged, the release itself is committed
        log.warning("VACUUM sealed_answers failed", exc_info=True)


def sealed_count(campaign_id: int | None = None) -> int:
    """Sheets answered but not yet released (shown beside figures that count responses)."""
    query = db.select(func.count(SealedAnswer.id))
    if campaign_id is not None:
        query = query.where(SealedAnswer.campaign_id == campaign_id)
    return db.session.scalar(query) or 0

"""What came back, applied to the invitations: bounces, replies, auto-replies, "not me".

Services flush; the IMAP job and the views commit. A message is recorded once (MailReply is
also the ledger), so reading the same message twice — after a connection cut before it was
moved — changes nothing the second time.
"""
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core import audit
from app.extensions import db
from app.models import Invitation, MailReply, OutboxMessage, Respondent, Unit, utcnow

from .bounces import Classified
from .outbox import BACKOFF_SECONDS, MAX_ATTEMPTS
from .services import mark_bounced, revoke


def _our_mail(refs: list[str]) -> OutboxMessage | None:
    """The outbox row a report or reply refers to, by our Message-ID only."""
    if not refs:
        return None
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.message_id.in_(refs[:50]))
                             .order_by(OutboxMessage.id.desc()).limit(1))


def _soft_bounce(msg: OutboxMessage, reason: str, now) -> str:
    """A temporary failure reported later (mailbox full…): send again after a back-off, up to the
    attempt limit; then it counts as a hard bounce."""
    if msg.status != "sent":
        return "ignored"
    if msg.attempts >= MAX_ATTEMPTS:
        mark_bounced(msg.to_addr, _("Bỏ sau %(n)d lần thử: %(error)s", n=msg.attempts, error=reason), outbox_id=msg.id)
        return "hard"
    delay = timedelta(seconds=BACKOFF_SECONDS * 2 ** max(0, msg.attempts - 1)) * 10
    msg.status, msg.next_attempt_at, msg.last_error = "queued", now + delay, reason
    msg.claimed_by = msg.claimed_at = None
    db.session.execute(update(Invitation).where(Invitation.id.in_(msg.invitation_ids or []),
                                                Invitation.answered_on.is_(None), Invitation.status == "sent")
                       .values(status="queued", last_error=reason))
    return "soft"


def record(box_id: int, found: Classified, now=None) -> str:
    """Apply one classified message; returns the outcome: hard, soft, reply, auto_reply, delayed,
    unmatched, unreadable or seen (recorded before). 'unmatched'/'unreadable' stay in the mailbox."""
    now = now or utcnow()
    seen = db.session.scalar(select(MailReply.kind).where(MailReply.mailbox_id == box_id,
                                                          MailReply.message_key == found.key))
    if seen is not None:
        return "unreadable" if seen == "unreadable" else "seen"
    mail = _our_mail(found.refs)
    outcome = found.kind
    kind = found.kind
    note = found.note or None
    if found.kind in ("bounce", "delayed"):
        if mail is None:
            outcome, kind = "unmatched", "unreadable"
            note = _("Báo lỗi gửi thư không khớp thư mời nào (không thấy Message-ID của thư đã gửi).")
        elif found.kind == "delayed":
            outcome, kind = "delayed", "bounce"
        elif found.hard:
            outcome, kind = ("hard" if mark_bounced(mail.to_addr, found.reason, outbox_id=mail.id) else "seen"), "bounce"
        else:
            outcome, kind = _soft_bounce(mail, found.reason, now), "bounce"
        note = note or found.reason
    elif found.kind == "unreadable":
        note = _("Không đọc được thư: %(why)s", why=note or "?")
    db.session.add(MailReply(mailbox_id=box_id, message_key=found.key, kind=kind,
                             campaign_id=mail.campaign_id if mail else None,
                             invitation_ids=list(mail.invitation_ids or []) if mail else [],
                             sender=found.sender[:254], subject=found.subject[:500], received_at=found.date, note=note))
    db.session.flush()
    return outcome


def not_me(invitation: Invitation) -> None:
    """The person who got the link says it is not for them: revoke it and tell the secretariat."""
    key = f"not-me:{invitation.id}:{invitation.nonce[:16]}"
    revoke(invitation, None)
    invitation.last_error = _("Người nhận báo thư mời không phải gửi cho mình.")
    db.session.execute(update(Respondent).where(Respondent.id == invitation.respondent_id)
                       .values(email_status="failed", email_error=invitation.last_error))
    db.session.add(MailReply(mailbox_id=None, message_key=key, kind="not_me", campaign_id=invitation.campaign_id,
                             invitation_ids=[invitation.id], received_at=utcnow(), note=invitation.last_error))
    db.session.flush()
    audit.record("invitation.not_me", None, invitation.campaign_id, target=str(invitation.id))


def replies_for(campaign_id: int, kinds=("reply", "not_me"), limit: int = 500) -> list[dict]:
    """The replies the secretariat should read (auto-replies set aside): sender, subject, date and
    the invitation(s) they answer — respondent and assessed unit, never an answer."""
    rows = db.session.scalars(select(MailReply).where(MailReply.campaign_id == campaign_id, MailReply.kind.in_(kinds))
                              .order_by(MailReply.read_at.desc(), MailReply.id.desc()).limit(limit)).all()
    ids = {i for r in rows for i in (r.invitation_ids or [])}
    who = {}
    if ids:
        who = {inv_id: (name, unit) for inv_id, name, unit in db.session.execute(
            select(Invitation.id, Respondent.full_name, Unit.name).join(Respondent, Respondent.id == Invitation.respondent_id)
            .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.id.in_(ids)))}
    return [{"id": r.id, "kind": r.kind, "sender": r.sender, "subject": r.subject, "received_at": r.received_at,
             "note": r.note, "invitations": [{"id": i, "respondent": who.get(i, ("", ""))[0], "unit": who.get(i, ("", ""))[1]}
                                             for i in (r.invitation_ids or [])]} for r in rows]

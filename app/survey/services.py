"""Answering a survey link: resolve it, keep the draft, submit exactly once, anonymously.

Anonymity (docs/ANONYMITY.md): the answer sheet carries campaign, unit, group, questionnaire
and answers plus paradata hashes — never the invitation or the respondent. It is sealed in the
transaction that marks the invitation answered and released into `responses` later by the job
runner (sealing.py). The draft, keyed by the invitation, is deleted at submission.

One response per invitation: every write path first runs a conditional UPDATE on the
invitation row (`... WHERE answered_on IS NULL`). On PostgreSQL the row lock serialises
concurrent requests and the loser re-evaluates the condition; on SQLite the database write
lock does the same. The sheet is sealed only when that UPDATE changed exactly one row.
"""
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, update

from app.core.schemes import questionnaire as load_questionnaire
from app.extensions import db
from app.mailing.tokens import new_nonce, read_token
from app.models import (Answer, Campaign, Group, Invitation, Respondent, RespondentList, RespondentTarget, SealedAnswer,
                        SurveyDraft, Unit, utcnow)

from .sealing import seal

INVALID, OPEN, ANSWERED, CLOSED = "invalid", "open", "answered", "closed"
DEFAULT_TEXT_LIMIT = 2000
MODES = ("web", "paper", "phone")


class SurveyError(ValueError):
    """An answer sheet the questionnaire does not allow; the message is shown as is."""


@dataclass(frozen=True)
class Link:
    """What a survey link leads to: `state` is one of INVALID, OPEN, ANSWERED, CLOSED."""

    state: str
    invitation: Invitation | None = None
    campaign: Campaign | None = None
    unit: Unit | None = None  #: the assessed unit


@dataclass(frozen=True)
class Paradata:
    """Keyed hashes of the request that opens or submits a link (computed by the view)."""

    net_hash: str | None = None
    net_prefix_hash: str | None = None
    ua_hash: str | None = None
    device_hash: str | None = None


def is_closed(campaign: Campaign, today: date) -> bool:
    """Answering closes at the end of the `answers_by` day."""
    return today > campaign.answers_by


def resolve_survey_link(token: str, today: date) -> Link:
    """Check a link: signature, invitation, nonce, revocation, answered, deadline.

    Every failure before the invitation is known to be genuine gives the same INVALID state,
    so the page never tells whether an invitation exists.
    """
    payload = read_token(token or "")
    if payload is None:
        return Link(INVALID)
    invitation_id, nonce = payload
    # One round trip for the three rows: this runs on every request of the respondent's form.
    row = db.session.execute(db.select(Invitation, Campaign, Unit).join(Campaign, Campaign.id == Invitation.campaign_id)
                             .join(Unit, Unit.id == Invitation.unit_id).where(Invitation.id == invitation_id)).first()
    if row is None:
        return Link(INVALID)
    invitation, campaign, unit = row
    if not secrets.compare_digest(invitation.nonce.encode(), nonce.encode()):
        return Link(INVALID)
    if invitation.revoked_at is not None:
        return Link(INVALID)
    if invitation.answered_on is not None:
        return Link(ANSWERED, invitation, campaign, unit)
    if is_closed(campaign, today):
        return Link(CLOSED, invitation, campaign, unit)
    return Link(OPEN, invitation, campaign, unit)


def questionnaire_for(invitation: Invitation, campaign: Campaign):
    """The questionnaire (YAML model) the invitation asks."""
    return load_questionnaire(campaign.scheme_code, invitation.questionnaire_code)


def _hold_open(invitation_id: int, today: date) -> bool:
    """Lock the invitation for a draft write; False once it is answered.

    Also records the day of first open (coarse date only).
    """
    inv = Invitation.__table__
    result = db.session.execute(
        update(inv).where(inv.c.id == invitation_id, inv.c.answered_on.is_(None))
        .values(opened_on=func.coalesce(inv.c.opened_on, today)))
    return result.rowcount == 1


def _claim_answer(invitation_id: int, today: date) -> bool:
    """Mark the invitation answered; True for exactly one caller per invitation."""
    inv = Invitation.__table__
    result = db.session.execute(
        update(inv).where(inv.c.id == invitation_id, inv.c.answered_on.is_(None))
        .values(answered_on=today, opened_on=func.coalesce(inv.c.opened_on, today)))
    return result.rowcount == 1


def _draft(invitation_id: int) -> SurveyDraft | None:
    return db.session.scalar(db.select(SurveyDraft).where(SurveyDraft.invitation_id == invitation_id)
                             .execution_options(populate_existing=True))


def open_link(invitation: Invitation, paradata: Paradata, today: date) -> SurveyDraft | None:
    """First open of a link: create the draft with the open time and the opener's hashes.

    Later opens change nothing. Returns the draft, or None when the invitation was answered
    meanwhile.
    """
    draft = _draft(invitation.id)
    if draft is not None:
        return draft
    if not _hold_open(invitation.id, today):
        return None
    draft = _draft(invitation.id)  # re-read under the lock: a parallel first open may have won
    if draft is None:
        draft = SurveyDraft(invitation_id=invitation.id, answers={}, first_opened_at=utcnow(),
                            open_net_hash=paradata.net_prefix_hash, open_device_hash=paradata.device_hash,
                            updated_at=utcnow())
        db.session.add(draft)
        db.session.flush()
    db.session.expire(invitation, ["opened_on"])
    return draft


def save_draft(invitation: Invitation, answers: dict, paradata: Paradata, today: date) -> bool:
    """Keep the answers so far against the invitation; False if it was answered meanwhile."""
    if not _hold_open(invitation.id, today):
        return False
    draft = _draft(invitation.id)
    if draft is None:
        draft = SurveyDraft(invitation_id=invitation.id, first_opened_at=utcnow(),
                            open_net_hash=paradata.net_prefix_hash, open_device_hash=paradata.device_hash)
        db.session.add(draft)
    draft.answers = {code: value for code, value in answers.items() if value not in (None, "")}
    draft.updated_at = utcnow()
    db.session.flush()
    db.session.expire(invitation, ["opened_on"])
    return True


def build_answers(questionnaire, answers: dict) -> list[Answer]:
    """Answer rows for the given {item code: option code or text}; credit from the YAML only."""
    items = {item.code: item for item in questionnaire.items}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise SurveyError(_("Câu hỏi %(codes)s không có trong phiếu này.", codes=", ".join(unknown)))
    rows = []
    for item in questionnaire.items:
        value = answers.get(item.code)
        if value in (None, ""):
            if item.required:
                raise SurveyError(_("Câu %(code)s là câu bắt buộc.", code=item.code))
            continue
        if item.type == "choice":
            option = next((o for o in item.options if o.code == value), None)
            if option is None:
                raise SurveyError(_("Lựa chọn '%(value)s' không có trong câu %(code)s.", value=value, code=item.code))
            rows.append(Answer(item_code=item.code, option_code=option.code, credit=option.credit))
        else:
            text = unicodedata.normalize("NFC", str(value)).strip()
            limit = item.max_length or DEFAULT_TEXT_LIMIT
            if len(text) > limit:
                raise SurveyError(_("Câu %(code)s dài quá %(max)d ký tự.", code=item.code, max=limit))
            if text:
                rows.append(Answer(item_code=item.code, text=text))
    return rows


def submit_response(invitation: Invitation, questionnaire, answers: dict, today: date, paradata: Paradata | None = None,
                    mode: str = "web", entered_by=None) -> SealedAnswer | None:
    """Seal the answer sheet once per invitation; None when it was already answered.

    The sheet goes to `sealed_answers` (no invitation or respondent id) and reaches `responses`
    only when the job runner releases it, in another transaction (app/survey/sealing.py).
    Web submissions carry the paradata; the draft (with the open-time hashes) is read for the
    duration and moved flags and deleted in this transaction. Enumerator entries (paper/phone)
    carry the mode and who keyed them in, and no paradata.
    """
    if mode not in MODES:
        raise SurveyError(_("Hình thức trả lời '%(mode)s' không hợp lệ.", mode=mode))
    rows = build_answers(questionnaire, answers)  # fail before taking the lock
    if not _claim_answer(invitation.id, today):
        return None
    now = utcnow()
    draft = _draft(invitation.id)
    found = {}
    if mode == "web":
        paradata = paradata or Paradata()
        found = {"net_hash": paradata.net_hash, "net_prefix_hash": paradata.net_prefix_hash,
                 "ua_hash": paradata.ua_hash, "device_hash": paradata.device_hash,
                 "duration_s": 0.0, "moved_network": False, "moved_device": False}
        if draft is not None:
            found.update(duration_s=max(0.0, (now - draft.first_opened_at).total_seconds()),
                         moved_network=_differs(draft.open_net_hash, paradata.net_prefix_hash),
                         moved_device=_differs(draft.open_device_hash, paradata.device_hash))
    if draft is not None:
        db.session.delete(draft)
    sealed = seal(invitation, questionnaire.version, rows, mode, getattr(entered_by, "id", None), now, found)
    db.session.expire(invitation, ["answered_on", "opened_on"])
    return sealed


def _differs(first: str | None, now: str | None) -> bool | None:
    if first is None or now is None:
        return None
    return not secrets.compare_digest(first, now)


def ensure_invitation(respondent, unit) -> Invitation:
    """The invitation of (respondent, unit, questionnaire), created if the mailing has not yet.

    Enumerator entries go through an invitation so that the one-response rule is the same.
    """
    qcode = respondent.group.questionnaire_code
    query = db.select(Invitation).where(Invitation.respondent_id == respondent.id, Invitation.unit_id == unit.id,
                                        Invitation.questionnaire_code == qcode)
    invitation = db.session.scalar(query)
    if invitation is not None:
        return invitation
    # INSERT … ON CONFLICT DO NOTHING: a parallel creation (mailing, another tab) is not an error.
    insert = _dialect_insert()
    db.session.execute(insert(Invitation.__table__).values(
        campaign_id=respondent.campaign_id, respondent_id=respondent.id, unit_id=unit.id, group_id=respondent.group_id,
        questionnaire_code=qcode, nonce=new_nonce(), status="pending", created_at=_day_start(), reminder_count=0,
    ).on_conflict_do_nothing(index_elements=["respondent_id", "unit_id", "questionnaire_code"]))
    return db.session.scalar(query)


def _day_start() -> datetime:
    """Created with an interview: only the day, so the invitation holds no time near the sheet's."""
    return utcnow().replace(hour=0, minute=0, second=0, microsecond=0)


def _dialect_insert():
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


# ------------------------------------------------------------------ enumerator entry
def _assigned(enumerator, campaign_id: int):
    """Respondents an enumerator interviews: on an approved list, and assigned by name or — when
    nobody is assigned — without e-mail on the lists of the enumerator's units."""
    own_units = db.select(Unit.id).where(Unit.campaign_id == campaign_id, Unit.code.in_(sorted(enumerator.unit_codes)))
    approved = db.select(RespondentList.unit_id).where(RespondentList.campaign_id == campaign_id,
                                                       RespondentList.state == "approved")
    return and_(Respondent.unit_id.in_(approved),
                or_(Respondent.enumerator_id == enumerator.id,
                    and_(Respondent.enumerator_id.is_(None), Respondent.email.is_(None),
                         Respondent.unit_id.in_(own_units))))


def interviews_for(enumerator, campaign: Campaign) -> list[dict]:
    """The enumerator's interviews (one per respondent and assessed unit) and whether each
    has been answered — never the answers."""
    query = (db.select(Respondent, Unit, Invitation.answered_on, Invitation.revoked_at)
             .join(RespondentTarget, RespondentTarget.respondent_id == Respondent.id)
             .join(Unit, Unit.id == RespondentTarget.unit_id)
             .join(Group, Group.id == Respondent.group_id)
             .outerjoin(Invitation, and_(Invitation.respondent_id == Respondent.id, Invitation.unit_id == Unit.id,
                                         Invitation.questionnaire_code == Group.questionnaire_code))
             .where(Respondent.campaign_id == campaign.id, _assigned(enumerator, campaign.id))
             .order_by(Respondent.full_name, Respondent.id, Unit.code))
    return [{"respondent": r, "unit": u, "answered": answered is not None, "revoked": revoked is not None}
            for r, u, answered, revoked in db.session.execute(query)]


def interview_target(enumerator, campaign: Campaign, respondent_id: int, unit_id: int):
    """(respondent, unit) for an enumerator entry; LookupError if absent, PermissionError if not theirs."""
    respondent = db.session.get(Respondent, respondent_id)
    unit = db.session.get(Unit, unit_id)
    if respondent is None or unit is None or respondent.campaign_id != campaign.id \
            or unit.id not in {t.unit_id for t in respondent.targets}:
        raise LookupError(respondent_id)
    allowed = db.session.scalar(db.select(Respondent.id).where(Respondent.id == respondent.id,
                                                                _assigned(enumerator, campaign.id)))
    if allowed is None:
        raise PermissionError(respondent_id)
    return respondent, unit


def enter_interview(enumerator, respondent, unit, questionnaire, answers: dict, mode: str,
                    today: date) -> SealedAnswer | None:
    """Record a paper or phone interview; None if this respondent already answered for the unit."""
    if mode not in ("paper", "phone"):
        raise SurveyError(_("Hình thức phỏng vấn '%(mode)s' không hợp lệ.", mode=mode))
    if is_closed(db.session.get(Campaign, respondent.campaign_id), today):
        raise SurveyError(_("Đợt khảo sát đã kết thúc; không nhận thêm phiếu."))
    invitation = ensure_invitation(respondent, unit)
    if invitation.revoked_at is not None:
        raise SurveyError(_("Thư mời của người này đã bị thu hồi; không thể nhập phiếu."))
    return submit_response(invitation, questionnaire, answers, today, mode=mode, entered_by=enumerator)

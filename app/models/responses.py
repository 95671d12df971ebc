"""Responses (phiếu trả lời), their answers, and drafts kept until submission.

A response has no respondent and no invitation id, by design (DESIGN.md §5).
"""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow


class Response(Model):
    __tablename__ = "responses"
    __table_args__ = (
        CheckConstraint("mode IN ('web','paper','phone')", name="mode"),
        Index("ix_responses_campaign_unit_group", "campaign_id", "unit_id", "group_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    questionnaire_code: Mapped[str] = mapped_column(String(50))
    questionnaire_version: Mapped[str] = mapped_column(String(50), default="")
    mode: Mapped[str] = mapped_column(String(10), default="web")
    #: Exact submission time lives here, never on the invitation.
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Seconds from first open of the link to submission (NULL for paper entries).
    duration_s: Mapped[float | None]
    #: Keyed hashes (HMAC with a server secret) — never raw addresses.
    net_hash: Mapped[str | None] = mapped_column(String(64))
    net_prefix_hash: Mapped[str | None] = mapped_column(String(64))
    ua_hash: Mapped[str | None] = mapped_column(String(64))
    device_hash: Mapped[str | None] = mapped_column(String(64))
    #: Submitted from another network / device than the one that first opened the link.
    moved_network: Mapped[bool | None]
    moved_device: Mapped[bool | None]
    #: Enumerator who keyed in a paper/phone interview (not the respondent).
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Left out of scoring by an interference decision.
    excluded: Mapped[bool] = mapped_column(default=False)

    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class Answer(Model):
    __tablename__ = "answers"
    # On SQLite the table is clustered on its key (WITHOUT ROWID): a response's answers sit together,
    # the index's join reads them in one range (no lookup from the key's index into the table, half the
    # file), and no hidden rowid keeps the order in which answers were written.
    __table_args__ = (CheckConstraint("credit IS NULL OR (credit >= 0 AND credit <= 1)", name="credit"),
                      {"sqlite_with_rowid": False})

    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    item_code: Mapped[str] = mapped_column(String(50), primary_key=True)
    option_code: Mapped[str | None] = mapped_column(String(50))
    #: Credit of the chosen option; NULL = "Không biết" or free text (not counted).
    credit: Mapped[float | None]
    text: Mapped[str | None] = mapped_column(Text)


class SealedAnswer(Model):
    """An answer sheet waiting to be released into `responses` (docs/ANONYMITY.md).

    Written in the transaction that marks the invitation answered, but carries no invitation
    or respondent id; the job runner moves it to `responses` later, in a shuffled batch and
    another transaction, and deletes it there (app/survey/sealing.py).
    """

    __tablename__ = "sealed_answers"
    __table_args__ = (CheckConstraint("mode IN ('web','paper','phone')", name="mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    questionnaire_code: Mapped[str] = mapped_column(String(50))
    questionnaire_version: Mapped[str] = mapped_column(String(50), default="")
    mode: Mapped[str] = mapped_column(String(10), default="web")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Exact submission time: becomes `responses.submitted_at`; the release rule reads the oldest.
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: {"answers": [[item, option, credit, text]…], "paradata": {response column: value}}.
    payload: Mapped[dict] = mapped_column(JSON)


class SurveyDraft(Model):
    """Save-and-resume state, keyed by invitation, deleted at submission with its open paradata."""

    __tablename__ = "survey_drafts"

    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    first_opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    open_net_hash: Mapped[str | None] = mapped_column(String(64))
    open_device_hash: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

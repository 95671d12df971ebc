"""Official mailboxes, invitations (signed links) and the outbox."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .respondents import Respondent

INVITATION_STATES = ("pending", "queued", "sent", "failed", "bounced")
OUTBOX_STATES = ("queued", "sending", "sent", "failed", "bounced")


class Mailbox(Model):
    """A unit's official SMTP account (hộp thư công vụ); unit_code NULL = the default mailbox."""

    __tablename__ = "mailboxes"
    __table_args__ = (
        UniqueConstraint("unit_code"),
        CheckConstraint("tls IN ('none','starttls','ssl')", name="tls"),
        CheckConstraint("port BETWEEN 1 AND 65535", name="port"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_code: Mapped[str | None] = mapped_column(String(50))
    host: Mapped[str] = mapped_column(String(255))
    port: Mapped[int]
    tls: Mapped[str] = mapped_column(String(10), default="starttls")
    username: Mapped[str | None] = mapped_column(String(254))
    #: Encrypted at rest with a key from the environment; never shown back in the UI.
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(254))
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    reply_to: Mapped[str | None] = mapped_column(String(254))
    rate_per_minute: Mapped[int] = mapped_column(default=60)
    daily_cap: Mapped[int] = mapped_column(default=5000)
    #: Last failure that needs the secretariat (e.g. login rejected); cleared on success.
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Where bounces and replies to this mailbox are read (IMAP); NULL host = not read.
    imap_host: Mapped[str | None] = mapped_column(String(255))
    imap_port: Mapped[int | None]
    imap_tls: Mapped[str | None] = mapped_column(String(10))
    imap_username: Mapped[str | None] = mapped_column(String(254))
    #: Encrypted like password_encrypted; never shown back.
    imap_password_encrypted: Mapped[str | None] = mapped_column(Text)
    imap_folder: Mapped[str | None] = mapped_column(String(200))
    #: Last reading problem (login refused, connection cut); cleared by the next good read.
    imap_last_error: Mapped[str | None] = mapped_column(Text)
    imap_read_at: Mapped[datetime | None]


class Invitation(Model):
    """One signed link per (respondent, assessed unit, questionnaire).

    Anonymity: it records only *that* it was answered and on which day; the response row
    has no invitation or respondent id (DESIGN.md §5).
    """

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("respondent_id", "unit_id", "questionnaire_code"),
        CheckConstraint("status IN ('pending','queued','sent','failed','bounced')", name="status"),
        CheckConstraint("reminder_count >= 0", name="reminders"),
        Index("ix_invitations_campaign_unit", "campaign_id", "unit_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    #: The assessed unit the answers will count for.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    questionnaire_code: Mapped[str] = mapped_column(String(50))
    #: Random value in the signed payload; a new nonce revokes every earlier link.
    nonce: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    opened_on: Mapped[date | None]
    #: Coarse date only — never the time (anonymity).
    answered_on: Mapped[date | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    respondent: Mapped[Respondent] = relationship()


class OutboxMessage(Model):
    """A mail waiting for, or done by, a worker. Written in the transaction that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("status IN ('queued','sending','sent','failed','bounced')", name="status"),
        CheckConstraint("kind IN ('invitation','reminder','other')", name="kind"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
        #: Outbox state per campaign on the progress dashboard (queued / sending / failed).
        Index("ix_outbox_campaign_status", "campaign_id", "status", "created_at"),
        #: Bounces and replies are matched to the mail they answer by its Message-ID.
        Index("ix_outbox_message_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"))
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("respondents.id", ondelete="SET NULL"), index=True)
    #: Invitations whose links this mail carries (one mail may list several units).
    invitation_ids: Mapped[list] = mapped_column(JSON, default=list)
    kind: Mapped[str] = mapped_column(String(12), default="invitation")
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    smtp_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


PROPOSAL_STATES = ("pending", "approved", "rejected")


class AddressProposal(Model):
    """A focal unit's proposal of a new address for a failed or bounced delivery; the secretariat decides.

    Anonymity: it carries when it was proposed and decided, never anything about answering —
    a proposal is only possible before the invitation is answered, and nothing here changes after.
    """

    __tablename__ = "address_proposals"
    __table_args__ = (
        CheckConstraint("state IN ('pending','approved','rejected')", name="state"),
        CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name="decided"),
        Index("ix_address_proposals_campaign_state", "campaign_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"), index=True)
    #: The invitation whose delivery failed (the one named by the focal unit).
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id", ondelete="SET NULL"))
    old_email: Mapped[str | None] = mapped_column(String(254))
    new_email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    respondent: Mapped[Respondent] = relationship()
    proposed_by: Mapped["User | None"] = relationship(foreign_keys=[proposed_by_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821


class MailReply(Model):
    """What came back from respondents: a message read from a mailbox (delivery report, a
    person's reply, an auto-reply set aside, or one that could not be read — reported and left
    in place), or a "not me" click on a link. Also the ledger that makes reading idempotent."""

    __tablename__ = "mail_replies"
    __table_args__ = (
        CheckConstraint("kind IN ('bounce','reply','auto_reply','unreadable','not_me')", name="kind"),
        UniqueConstraint("mailbox_id", "message_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    #: Digest of the message as stored on the server: the same message is recorded once.
    message_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(12))
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    #: The invitation(s) the reply answers, found by In-Reply-To/References — never by name.
    invitation_ids: Mapped[list] = mapped_column(JSON, default=list)
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Interference findings (can thiệp) and the secretariat's decisions on them."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow


class Finding(Model):
    __tablename__ = "findings"
    __table_args__ = (
        #: A repeated scan finds the same thing again; the fingerprint keeps it once.
        UniqueConstraint("campaign_id", "fingerprint"),
        CheckConstraint("severity IN ('low','medium','high')", name="severity"),
        CheckConstraint("state IN ('open','dismissed','excluded','voided')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id", ondelete="SET NULL"))
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(10))
    score: Mapped[float] = mapped_column(default=0.0)
    #: Response ids involved — never people.
    response_ids: Mapped[list] = mapped_column(JSON, default=list)
    evidence: Mapped[dict] = mapped_column(JSON, default=dict)
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    decisions: Mapped[list["Decision"]] = relationship(order_by="Decision.id", cascade="all, delete-orphan")
    unit: Mapped["Unit"] = relationship("Unit")
    group: Mapped["Group | None"] = relationship("Group")


class Decision(Model):
    """Every decision is kept, also the ones an admin reverted."""

    __tablename__ = "decisions"
    __table_args__ = (CheckConstraint("action IN ('dismiss','exclude','void','revert')", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User | None"] = relationship("User")


class InterferenceScan(Model):
    """One run of the detectors over a campaign: when, by whom, and the unit risk it found."""

    __tablename__ = "interference_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: NULL = the scheduled job (or the CLI without --user).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    responses: Mapped[int] = mapped_column(default=0)
    #: Highest response id seen: the scheduled job skips a campaign that has nothing new.
    last_response_id: Mapped[int] = mapped_column(default=0)
    findings: Mapped[int] = mapped_column(default=0)
    new_findings: Mapped[int] = mapped_column(default=0)
    #: One row per unit with a finding: {unit, unit_kind, risk, level, flagged_share, rules}.
    unit_risk: Mapped[list] = mapped_column(JSON, default=list)
    seconds: Mapped[float] = mapped_column(default=0.0)

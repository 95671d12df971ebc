"""Respondents (đối tượng khảo sát) and the units each one assesses."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow
from .campaigns import Group, Unit


class Respondent(Model):
    __tablename__ = "respondents"
    __table_args__ = (
        # One person is one respondent per campaign (NULL e-mails — citizens — are distinct).
        UniqueConstraint("campaign_id", "email"),
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="contact"),
        CheckConstraint("email_status IN ('ok','failed','bounced')", name="email_status"),
        Index("ix_respondents_campaign_phone", "campaign_id", "phone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: (campaign_id, email) and (campaign_id, phone) above both lead with it, and
    # a third copy cost every imported row an index insert.
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    #: The unit whose list this person is on (the focal unit that uploaded them).
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    #: Row number in the uploaded file, to point the focal unit at it.
    source_row: Mapped[int | None]
    #: Delivery state of the address: a failed/bounced address is shown so the unit can fix it.
    email_status: Mapped[str] = mapped_column(String(10), default="ok")
    email_error: Mapped[str | None] = mapped_column(Text)
    #: Enumerator who interviews this person (respondents without e-mail).
    enumerator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()
    group: Mapped[Group] = relationship()
    targets: Mapped[list["RespondentTarget"]] = relationship(
        back_populates="respondent", cascade="all, delete-orphan"
    )


class RespondentTarget(Model):
    """A unit the respondent assesses (often their own; a provincial leader may assess a ministry)."""

    __tablename__ = "respondent_targets"
    __table_args__ = (UniqueConstraint("respondent_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)

    respondent: Mapped[Respondent] = relationship(back_populates="targets")
    unit: Mapped[Unit] = relationship()

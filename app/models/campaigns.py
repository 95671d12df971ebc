"""Campaigns with their assessed units, respondent groups and list states."""
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, utcnow


class Campaign(Model):
    __tablename__ = "campaigns"
    __table_args__ = (CheckConstraint("year BETWEEN 2000 AND 2100", name="year"),
                      CheckConstraint("min_cell_sheets BETWEEN 1 AND 100", name="min_cell_sheets"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_code: Mapped[str] = mapped_column(String(50))
    #: sha256 of the scheme files when the campaign was created (the version used).
    scheme_digest: Mapped[str] = mapped_column(String(64), default="")
    year: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    lists_by: Mapped[date]
    answers_by: Mapped[date]
    assessments_by: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Reminder schedule: every N days, at most M, none in the last H hours before the deadline.
    #: IANA zone of the campaign's deadlines and shown times (app/core/clock.py).
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    #: Whether the scheduler sends reminders by itself (coordinators can always send them by hand).
    reminders_auto: Mapped[bool] = mapped_column(default=True)
    reminder_every_days: Mapped[int] = mapped_column(default=3)
    reminder_max: Mapped[int] = mapped_column(default=3)
    reminder_quiet_hours: Mapped[int] = mapped_column(default=24)
    #: Editable mail templates; empty = the built-in Vietnamese templates.
    mail_templates: Mapped[dict] = mapped_column(JSON, default=dict)
    contact_text: Mapped[str] = mapped_column(Text, default="")
    #: k: no published figure rests on fewer answer sheets ("< k phiếu" instead, issue 12 §4).
    min_cell_sheets: Mapped[int] = mapped_column(default=3, server_default="3")
    #: Printed in every invitation: who issues the survey and under which plan (Kế hoạch số …).
    issuer: Mapped[str] = mapped_column(String(300), default="")
    plan_reference: Mapped[str] = mapped_column(String(300), default="")
    #: Minutes a respondent needs, said in the invitation.
    minutes_needed: Mapped[int] = mapped_column(default=15)

    units: Mapped[list["Unit"]] = relationship(back_populates="campaign", order_by="Unit.code")
    groups: Mapped[list["Group"]] = relationship(back_populates="campaign", order_by="Group.priority")


class Unit(Model):
    """An assessed unit (đơn vị được đánh giá) in one campaign."""

    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("campaign_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(50))
    #: Set by an interference decision "void": the unit's survey result is cancelled.
    survey_voided: Mapped[bool] = mapped_column(default=False)
    void_reason: Mapped[str | None] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="units")


class Group(Model):
    """A respondent group (nhóm đối tượng) of a campaign, copied from the scheme at creation."""

    __tablename__ = "groups"
    __table_args__ = (
        UniqueConstraint("campaign_id", "code"),
        UniqueConstraint("campaign_id", "priority"),
        CheckConstraint("weight >= 0", name="weight"),
        CheckConstraint("quota_min IS NULL OR quota_max IS NULL OR quota_min <= quota_max", name="quota"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(300))
    #: 1 = highest; decides which group keeps a person listed in two groups.
    priority: Mapped[int]
    questionnaire_code: Mapped[str] = mapped_column(String(50))
    weight: Mapped[float] = mapped_column(default=1.0)
    requires_email: Mapped[bool] = mapped_column(default=True)
    quota_min: Mapped[int | None]
    quota_max: Mapped[int | None]
    #: Per unit kind overrides: {"district": [100, 100]}.
    quota_by_kind: Mapped[dict] = mapped_column(JSON, default=dict)

    campaign: Mapped[Campaign] = relationship(back_populates="groups")

    def quota_for(self, unit_kind: str) -> tuple[int | None, int | None]:
        if unit_kind in (self.quota_by_kind or {}):
            lo, hi = self.quota_by_kind[unit_kind]
            return lo, hi
        return self.quota_min, self.quota_max


LIST_STATES = ("draft", "submitted", "approved", "returned")


class RespondentList(Model):
    """The state of one unit's respondent list (danh sách) in a campaign."""

    __tablename__ = "respondent_lists"
    __table_args__ = (
        UniqueConstraint("unit_id"),
        CheckConstraint("state IN ('draft','submitted','approved','returned')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(20), default="draft")
    #: The focal unit's explanation when the list breaks a quota.
    quota_explanation: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Reproducible sampling: seed and method recorded with the list.
    sample_seed: Mapped[int | None]
    sample_note: Mapped[str | None] = mapped_column(Text)
    #: Report of the last upload (counts, row errors, rejected rows) for the screen and the error workbook.
    last_upload: Mapped[dict] = mapped_column(JSON, default=dict)

    unit: Mapped[Unit] = relationship()

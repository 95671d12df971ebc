"""Self-assessment and appraisal scores (tự đánh giá, thẩm định) per unit and sub-criterion."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, utcnow


class AssessmentImport(Model):
    """One imported workbook: who, when, which file (hash) — for the method sheet."""

    __tablename__ = "assessment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SelfAssessment(Model):
    __tablename__ = "self_assessments"
    __table_args__ = (
        UniqueConstraint("unit_id", "criterion_code"),
        CheckConstraint("self_score IS NULL OR self_score >= 0", name="self_score"),
        CheckConstraint("appraised_score IS NULL OR appraised_score >= 0", name="appraised_score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    #: Leaf code of the scheme (sub-criterion, or criterion without sub-criteria).
    criterion_code: Mapped[str] = mapped_column(String(50))
    self_score: Mapped[float | None]
    appraised_score: Mapped[float | None]
    appraiser: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    not_applicable: Mapped[bool] = mapped_column(default=False)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_imports.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Stored index computations, so a published figure can be traced and reproduced."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, utcnow


class IndexRun(Model):
    __tablename__ = "index_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scheme_digest: Mapped[str] = mapped_column(String(64))
    #: sha256 of the inputs (aggregated answers, assessments, decisions).
    inputs_digest: Mapped[str] = mapped_column(String(64))
    #: sha256 of the result tables; equal inputs give an equal digest.
    result_digest: Mapped[str] = mapped_column(String(64))
    code_version: Mapped[str] = mapped_column(String(64), default="")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The ranking table as CSV text (deterministic).
    result_csv: Mapped[str] = mapped_column(Text, default="")
    #: The published workbook as written when the run was computed (downloads serve these bytes,
    #: so a download never recomputes the index or its robustness draws); loaded only when read.
    workbook: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)

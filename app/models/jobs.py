"""Job runner heartbeat, so the UI can say when the runner is down."""
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Model, utcnow


class Heartbeat(Model):
    __tablename__ = "heartbeats"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int] = mapped_column(default=0)
    #: True for the process that holds the scheduler lock.
    leader: Mapped[bool] = mapped_column(default=False)

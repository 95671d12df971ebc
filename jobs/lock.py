"""Leader election: only one scheduler leads at a time.

PostgreSQL: a session-level advisory lock held on a dedicated connection (a second runner is a
hot standby and takes over when the leader's connection goes away). SQLite: an exclusive
lock file next to the database (flock), released by the OS when the process dies.
"""
import fcntl
import os
from pathlib import Path

from sqlalchemy import text

ADVISORY_KEY = 0x5053_4A4F  # "PSJO": constant so every runner competes for the same lock


class LeaderLock:
    def __init__(self, engine, lock_dir: str):
        self.engine, self.lock_dir = engine, lock_dir
        self.conn = None
        self.fd = None

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        """Try (without waiting) to become the leader; True if this process leads."""
        if self.held():
            return True
        if self.postgres:
            conn = self.engine.connect()
            try:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}).scalar()
                conn.commit()
            except Exception:
                conn.close()
                raise
            if got:
                self.conn = conn
                return True
            conn.close()
            return False
        Path(self.lock_dir).mkdir(parents=True, exist_ok=True)
        fd = os.open(os.path.join(self.lock_dir, "jobs.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd
        return True

    def held(self) -> bool:
        """Still the leader? (a dropped PostgreSQL connection loses the lock)."""
        if self.fd is not None:
            return True
        if self.conn is None:
            return False
        try:
            self.conn.execute(text("SELECT 1"))
            self.conn.commit()
            return True
        except Exception:
            self.conn = None
            return False

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self.conn.commit()
                self.conn.close()
            except Exception:
                pass
            self.conn = None
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None

"""One bot process per DATA_DIR in SQLite mode: a lock file refuses a second one.

Two processes polling one token answer questions twice, and two writers on one SQLite file
interleave their broadcasts. `DataDirLock` takes an exclusive `flock` on DATA_DIR/bot.lock for the
life of the process (the kernel releases it when the process dies, however it dies, so a stale file
never blocks a restart) and writes the holder's pid into it for the message. Several processes
are the job of PostgreSQL mode (DATABASE_URL), whose leases coordinate them.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from bot.store import StateError

LOCK_FILE = "bot.lock"


class DataDirLock:
    def __init__(self, data_dir: Path | str) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._fd: int | None = None

    def acquire(self) -> DataDirLock:
        """Take the lock or raise StateError naming the process that has it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise StateError(
                f"another bot process (pid {holder}) is already running with DATA_DIR {self.path.parent}: stop it "
                "first (two processes would answer every question twice); to run several processes, give them "
                "DATABASE_URL (PostgreSQL)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DataDirLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()

"""Content-addressed blob storage on disk: a file is durable before anyone is told it exists."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, data: bytes) -> str:
        """Store bytes; return their SHA-256. fsyncs the file and its directory."""
        sha = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha)
        if target.is_file() and target.stat().st_size == len(data):
            return sha
        self._private_dirs(target.parent)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return sha

    def _private_dirs(self, leaf: Path) -> None:
        """Create the store's directories readable by this user only (agencies' documents)."""
        if leaf.is_dir():
            return
        self.root.parent.mkdir(parents=True, exist_ok=True)
        for level in (self.root, leaf.parent, leaf):
            level.mkdir(mode=0o700, exist_ok=True)

    def get(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

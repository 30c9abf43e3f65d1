"""OCR result cache keyed by the page image's SHA-256 plus the OCR settings fingerprint.

A re-import or re-run of the same page never OCRs it twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float  # 0..1, mean word confidence
    rotation: int  # degrees clockwise applied to make the page upright
    engine: str
    skew_deg: float = 0.0
    osd_used: bool = False
    quality: str = "ok"  # extract.types.PageQuality
    quality_evidence: str | None = None


class OcrCache(Protocol):
    def get(self, key: str) -> OcrResult | None: ...

    def put(self, key: str, result: OcrResult) -> None: ...


def cache_key(image_sha256: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{image_sha256}:{fingerprint}".encode()).hexdigest()


class DirectoryOcrCache:
    """One JSON file per key under `root/ab/<key>.json`, written atomically (temp file + rename)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> OcrResult | None:
        try:
            raw = json.loads(self._path(key).read_text(encoding="utf-8"))
            return OcrResult(**raw)
        except FileNotFoundError:
            return None
        except (ValueError, TypeError):
            # A damaged entry is a cache miss; the page is simply OCR'd again and rewritten.
            return None

    def put(self, key: str, result: OcrResult) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(asdict(result), fh, ensure_ascii=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class MemoryOcrCache:
    """In-process cache, for a single run or tests."""

    def __init__(self) -> None:
        self._items: dict[str, OcrResult] = {}

    def get(self, key: str) -> OcrResult | None:
        return self._items.get(key)

    def put(self, key: str, result: OcrResult) -> None:
        self._items[key] = result

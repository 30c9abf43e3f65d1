"""Where the shared evaluation corpora live: $FILING_SHARED_DIR, or ../shared beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("FILING_SHARED_DIR") or ROOT.parent / "shared")
SAMPLE = SHARED / "corpus" / "sample"
REAL_WORLD = SHARED / "corpus" / "real-world-eml"

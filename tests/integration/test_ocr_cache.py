"""The directory-backed OCR cache and the settings fingerprint that is part of its key."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from extract.reading.ocr_cache import DirectoryOcrCache, OcrResult, cache_key
from extract.reading.settings import OcrSettings


def test_round_trip_and_damaged_entry(tmp_path: Path) -> None:
    cache = DirectoryOcrCache(tmp_path)
    key = cache_key("ab" * 32, OcrSettings().fingerprint())
    assert cache.get(key) is None
    result = OcrResult(text="山东省滕州市人民法院\n应诉通知书", confidence=0.91, rotation=180,
                       engine="tesseract:chi_sim", skew_deg=1.2, osd_used=True)
    cache.put(key, result)
    assert DirectoryOcrCache(tmp_path).get(key) == result
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1 and not list(tmp_path.rglob(".tmp-*"))
    files[0].write_text("{not json", encoding="utf-8")
    assert cache.get(key) is None  # a damaged entry is a miss, not a crash
    cache.put(key, result)
    assert cache.get(key) == result


def test_fingerprint_tracks_output_affecting_settings_only() -> None:
    base = OcrSettings()
    assert base.fingerprint() == replace(base, workers=7, page_timeout_s=5, batch_size=2).fingerprint()
    assert base.fingerprint() != replace(base, ocr_dpi=200).fingerprint()
    assert base.fingerprint() != replace(base, lang="chi_sim+eng").fingerprint()
    assert cache_key("x", base.fingerprint()) != cache_key("x", replace(base, psm=6).fingerprint())

"""Orientation of several page images in one tesseract process (real tesseract)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from extract.reading import ocr
from extract.reading.ocr import detect_orientation, detect_orientations, write_pgm
from extract.reading.settings import OcrSettings
from tests.support.documents import NOTICE_LINES, rotated, text_page_image

SETTINGS = OcrSettings(ocr_dpi=200)


def _pages(tmp_path: Path) -> list[Path]:
    page = text_page_image(NOTICE_LINES)
    blank = np.full((1700, 1200), 255, np.uint8)
    images = [np.asarray(rotated(page, 90).convert("L")), blank, np.asarray(page.convert("L")),
              np.asarray(rotated(page, 180).convert("L")), blank]
    return [write_pgm(tmp_path / f"p{i}.pgm", np.ascontiguousarray(img)) for i, img in enumerate(images)]


def test_one_run_answers_as_one_run_per_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _pages(tmp_path)
    alone = [detect_orientation(p, SETTINGS, 60) for p in paths]
    runs: list[list[str]] = []
    run = ocr._run

    def counted(args: list[str], *rest: Any, **kw: Any) -> Any:
        runs.append(args)
        return run(args, *rest, **kw)

    monkeypatch.setattr(ocr, "_run", counted)
    together = detect_orientations(paths, SETTINGS, 60)
    assert together == alone
    assert [o.rotate if o else None for o in together] == [90, None, 0, 180, None]  # turned 90° counter-clockwise
    # Tesseract stops at a blank page: the rest goes on in a second run; each blank is asked alone.
    assert len(runs) == 4 < len(paths)


def test_a_failed_run_falls_back_to_one_page_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _pages(tmp_path)[2:4]
    alone = [detect_orientation(p, SETTINGS, 60) for p in paths]

    def no_batch(images: list[Path], settings: OcrSettings, timeout_s: float) -> dict[int, ocr.Orientation]:
        raise ocr.OcrEngineTimeout("too slow")

    monkeypatch.setattr(ocr, "_osd_run", no_batch)
    assert detect_orientations(paths, SETTINGS, 60) == alone

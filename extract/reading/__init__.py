"""Page reading: text layers, rendering, OCR, seals (I/O)."""

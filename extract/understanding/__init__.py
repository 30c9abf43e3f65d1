"""Document understanding: split, classify, case numbers, fields, dates (pure)."""

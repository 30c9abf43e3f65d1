"""Case decisions: facts, their plausibility, fact checks and staff corrections."""

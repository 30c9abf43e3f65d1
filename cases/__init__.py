"""The case domain: filing decisions, matching, review actions."""

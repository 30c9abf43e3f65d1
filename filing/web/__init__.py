"""The staff web UI: server-rendered pages on the review-queue service, behind login."""

"""Ingest: crawl shared folders, parse with unstructured, chunk, and describe each document."""

from ingest.offline import enforce_offline

# Before any third-party import: no telemetry, no model hub, in this process and its children.
enforce_offline()

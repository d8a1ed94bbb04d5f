"""Retrieval evaluation: labelled queries → runs per configuration → ranx metrics → reports."""

from ingest.offline import enforce_offline

# Before any third-party import: no telemetry, no model hub, in this process and its children.
enforce_offline()

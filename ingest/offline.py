"""The environment that keeps third-party libraries offline: no telemetry, no model hub."""

from __future__ import annotations

import os

OFFLINE_ENV: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "1",
    "UNSTRUCTURED_DISABLE_NOTICE": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}


def enforce_offline() -> None:
    """Set the offline variables in this process (and so in every child it starts).

    Called before unstructured, transformers or huggingface_hub are imported; values a user
    set explicitly are overridden, since no run-time download is ever wanted.
    """
    os.environ.update(OFFLINE_ENV)

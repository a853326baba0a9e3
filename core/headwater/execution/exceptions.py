"""Exceptions that user code raises inside a step to control how the step fails."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from headwater.definitions.metadata import normalize_metadata


class Failure(Exception):
    """Fail the step on purpose, with a description and metadata for the failure event.

    Args:
        description: why the step failed; shown in the STEP_FAILURE event.
        metadata: extra values attached to the failure.
        allow_retries: whether the step's retry policy may retry this failure.
    """

    def __init__(
        self,
        description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        allow_retries: bool = True,
    ):
        super().__init__(description)
        self.description = description
        self.metadata = normalize_metadata(metadata)
        self.allow_retries = allow_retries


class RetryRequested(Exception):
    """Ask for the step to run again, whatever its retry policy says.

    Raise it from inside a step, usually ``from`` the error that caused it.

    Args:
        max_retries: how many retries this step may have in total.
        seconds_to_wait: delay before the next attempt.
    """

    def __init__(self, max_retries: int = 1, seconds_to_wait: float = 0):
        super().__init__(
            f"Retry requested (max_retries={max_retries}, seconds_to_wait={seconds_to_wait})"
        )
        self.max_retries = max_retries
        self.seconds_to_wait = seconds_to_wait

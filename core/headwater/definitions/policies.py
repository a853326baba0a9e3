"""Retry and backfill policies."""

from __future__ import annotations

import enum
import random

import attrs

from headwater.errors import InvalidDefinitionError


class Backoff(enum.Enum):
    """How the delay between retries grows with the attempt number."""

    LINEAR = "LINEAR"
    EXPONENTIAL = "EXPONENTIAL"


class Jitter(enum.Enum):
    """How randomness is applied to the computed delay."""

    FULL = "FULL"
    PLUS_MINUS = "PLUS_MINUS"


def _check_retry_policy(instance: RetryPolicy, _attribute: object, _value: object) -> None:
    if instance.max_retries < 0:
        raise InvalidDefinitionError(
            f"RetryPolicy max_retries must be 0 or more; got {instance.max_retries}."
        )
    if instance.delay is None and (instance.backoff is not None or instance.jitter is not None):
        raise InvalidDefinitionError(
            "RetryPolicy backoff and jitter need a delay: set delay= (in seconds) as the base "
            "they apply to."
        )


@attrs.frozen
class RetryPolicy:
    """How many times a failing step is retried, and how long to wait between attempts.

    Args:
        max_retries: retries after the first attempt.
        delay: base delay in seconds, or ``None`` to retry at once.
        backoff: how the delay grows with the attempt number.
        jitter: randomness added to the delay.
    """

    max_retries: int = attrs.field(default=1, validator=_check_retry_policy)
    delay: float | None = None
    backoff: Backoff | None = None
    jitter: Jitter | None = None

    def calculate_delay(self, attempt_num: int) -> float:
        """Seconds to wait before retry number ``attempt_num`` (1 for the first retry)."""
        if self.delay is None:
            return 0.0
        delay = float(self.delay)
        if self.backoff is Backoff.LINEAR:
            delay = delay * attempt_num
        elif self.backoff is Backoff.EXPONENTIAL:
            delay = (2**attempt_num - 1) * delay
        if self.jitter is Jitter.FULL:
            delay = random.random() * delay
        elif self.jitter is Jitter.PLUS_MINUS:
            delay = delay + (random.random() * 2 - 1) * float(self.delay)
        return max(delay, 0.0)


class BackfillPolicyType(enum.Enum):
    """Whether a backfill runs its partitions in one run or in several."""

    SINGLE_RUN = "SINGLE_RUN"
    MULTI_RUN = "MULTI_RUN"


@attrs.frozen
class BackfillPolicy:
    """How a backfill over many partitions is split into runs.

    Build it with `BackfillPolicy.single_run` or `BackfillPolicy.multi_run`.
    """

    max_partitions_per_run: int | None = None

    @staticmethod
    def single_run() -> BackfillPolicy:
        """All requested partitions in one run."""
        return BackfillPolicy(max_partitions_per_run=None)

    @staticmethod
    def multi_run(max_partitions_per_run: int = 1) -> BackfillPolicy:
        """Runs of at most ``max_partitions_per_run`` partitions each."""
        if max_partitions_per_run < 1:
            raise InvalidDefinitionError(
                "BackfillPolicy.multi_run needs max_partitions_per_run of 1 or more; got "
                f"{max_partitions_per_run}."
            )
        return BackfillPolicy(max_partitions_per_run=max_partitions_per_run)

    @property
    def policy_type(self) -> BackfillPolicyType:
        """MULTI_RUN whenever ``max_partitions_per_run`` is set."""
        if self.max_partitions_per_run:
            return BackfillPolicyType.MULTI_RUN
        return BackfillPolicyType.SINGLE_RUN

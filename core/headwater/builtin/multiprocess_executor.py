"""Built-in plugin: the multiprocess executor, a pool of long-lived forked worker processes.

The pool itself lives in `headwater.builtin._worker_pool`, imported when an executor is
created; this module only validates config and registers the executors.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from headwater.errors import InvalidConfigError
from headwater.execution.executor import ExecutorDefinition
from headwater.hookspecs import hookimpl

if TYPE_CHECKING:
    from headwater.builtin._worker_pool import MultiprocessExecutor
    from headwater.execution.executor import Executor

MAX_CONCURRENT_ENV_VAR = "HEADWATER_MULTIPROCESS_MAX_CONCURRENT"


def _check_fork_available() -> None:
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        raise InvalidConfigError(
            f"The multiprocess executor forks its worker processes, which this platform "
            f"({sys.platform}) cannot do. Use the in-process executor: "
            "executor_def=dg.in_process_executor on the job or Definitions, or run config "
            '{"execution": {"config": {"in_process": {}}}} with the default executor.'
        )


def _validate(config: Mapping[str, Any], path: str = "$.execution.config") -> None:
    unknown = sorted(set(config) - {"max_concurrent", "retries"})
    if unknown:
        raise InvalidConfigError(
            f"Unknown config field(s) {unknown} for executor 'multiprocess' (path "
            f"{path}.{unknown[0]}). Allowed fields: max_concurrent, retries."
        )
    limit = config.get("max_concurrent")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise InvalidConfigError(
            f"Executor 'multiprocess': {path}.max_concurrent must be a positive integer, got "
            f"{limit!r}. Leave it out to use {MAX_CONCURRENT_ENV_VAR} or the CPU count."
        )
    retries = config.get("retries")
    if retries is not None and (
        not isinstance(retries, Mapping) or set(retries) not in ({"enabled"}, {"disabled"})
    ):
        raise InvalidConfigError(
            f"Executor 'multiprocess': {path}.retries must be {{'enabled': {{}}}} or "
            f"{{'disabled': {{}}}}, got {retries!r}."
        )


def _create(config: Mapping[str, Any]) -> MultiprocessExecutor:
    from headwater.builtin._worker_pool import MultiprocessExecutor

    _validate(config)
    _check_fork_available()
    retries = config.get("retries") or {"enabled": {}}
    return MultiprocessExecutor(
        max_concurrent=config.get("max_concurrent"), retries_enabled="disabled" not in retries
    )


multiprocess_executor = ExecutorDefinition(
    name="multiprocess",
    executor_creation_fn=_create,
    config_fields=frozenset({"max_concurrent", "retries"}),
    description="Runs steps in a pool of long-lived forked worker processes.",
    config_validator=_validate,
)


def _validate_either(config: Mapping[str, Any]) -> None:
    if "in_process" in config and "multiprocess" in config:
        raise InvalidConfigError(
            "Executor 'multi_or_in_process': $.execution.config has both 'in_process' and "
            "'multiprocess'; give one of them."
        )
    chosen = config.get("multiprocess")
    if chosen is not None and not isinstance(chosen, Mapping):
        raise InvalidConfigError(
            "Executor 'multi_or_in_process': $.execution.config.multiprocess must be a mapping "
            f"such as {{'max_concurrent': 2}}, got {chosen!r}."
        )
    if chosen:
        _validate(chosen, "$.execution.config.multiprocess")


def _create_either(config: Mapping[str, Any]) -> Executor:
    from headwater.builtin.in_process_executor import in_process_executor

    _validate_either(config)
    if "in_process" in config:
        return in_process_executor.configured(config["in_process"] or {}).create_executor()
    return _create(config.get("multiprocess") or {})


multi_or_in_process_executor = ExecutorDefinition(
    name="multi_or_in_process",
    executor_creation_fn=_create_either,
    config_fields=frozenset({"in_process", "multiprocess"}),
    description="The multiprocess executor, or the in-process one with {'in_process': {}}.",
    config_validator=_validate_either,
)


@hookimpl(trylast=True)
def register_executors() -> dict[str, Any]:
    """Offer ``"multiprocess"`` and ``"multi_or_in_process"``."""
    return {
        "multiprocess": multiprocess_executor,
        "multi_or_in_process": multi_or_in_process_executor,
    }

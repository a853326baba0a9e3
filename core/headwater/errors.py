"""The exception hierarchy: every error headwater raises derives from `HeadwaterError`.

Each class also carries its reference-compatible spelling (``DagsterInvalidDefinitionError``
and so on) as a module-level alias, so ``except dg.DagsterInvalidDefinitionError`` works
unchanged. Messages name the thing at fault and say what to do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class HeadwaterError(Exception):
    """Base class of every error raised by headwater."""


class InvalidDefinitionError(HeadwaterError):
    """A definition (asset, spec, job, resource, location) is malformed or inconsistent."""


class DuplicateDefinitionError(InvalidDefinitionError):
    """Two definitions claim the same asset key or the same name."""


class CycleError(InvalidDefinitionError):
    """The asset dependency graph has a cycle.

    Attributes:
        cycle: the keys along the cycle, the first key repeated at the end.
    """

    def __init__(self, cycle: Sequence[object]):
        self.cycle = list(cycle)
        path = " -> ".join(_key_label(key) for key in self.cycle)
        super().__init__(
            f"Dependency cycle between assets: {path}. "
            "Remove one of these dependencies so the assets can be ordered."
        )


class InvalidSubsetError(HeadwaterError):
    """A selection names keys that do not exist or splits a non-subsettable multi-asset."""


class InvalidAssetSelectionError(HeadwaterError):
    """A selection string could not be parsed."""


class InvariantViolationError(HeadwaterError):
    """An API was used in a way its contract forbids."""


class InvalidConfigError(HeadwaterError):
    """Run config or instance config does not match its schema."""


class InvalidInvocationError(HeadwaterError):
    """A definition was called directly with arguments it cannot accept."""


class ExecutionStepError(HeadwaterError):
    """User code raised while a step ran; the original exception is the ``__cause__``."""


class HandleOutputError(ExecutionStepError):
    """An IO manager raised while storing a step output; the original exception is the cause."""


class LoadInputError(ExecutionStepError):
    """An IO manager raised while loading a step input; the original exception is the cause."""


class TypeCheckError(HeadwaterError):
    """A step output or input does not match its declared type (annotation or ``dagster_type``).

    Attributes:
        description: why the value does not match, e.g. ``Value 's' of type str is not an int.``
    """

    def __init__(self, message: str, description: str | None = None):
        super().__init__(message)
        self.description = description


class StepOutputNotFoundError(HeadwaterError):
    """A step finished without producing a required output."""


class ResourceFunctionError(HeadwaterError):
    """A resource failed to initialise."""


class InvalidObservationError(HeadwaterError):
    """An observation function returned a result its asset cannot record."""


class HomeNotSetError(HeadwaterError):
    """An operation needs ``HEADWATER_HOME`` and it is not usable."""


class UnknownPartitionError(HeadwaterError):
    """A partition key is not a partition of the partitions definition it was used with."""


class PluginError(HeadwaterError):
    """A plugin could not be loaded, registered or validated."""


class PluginNotFoundError(PluginError):
    """A plugin-provided implementation was requested by a name nobody registered."""


class StorageError(HeadwaterError):
    """The instance's storage could not complete an operation."""


class MigrationError(StorageError):
    """The database schema is missing, too old or too new for this headwater."""


def _key_label(key: object) -> str:
    to_user_string = getattr(key, "to_user_string", None)
    return to_user_string() if callable(to_user_string) else str(key)


def did_you_mean(name: str, candidates: Iterable[str], *, limit: int = 3) -> str:
    """Return ``"; did you mean 'x'?"`` for close matches of ``name``, or an empty string."""
    import difflib

    matches = difflib.get_close_matches(name, list(candidates), n=limit, cutoff=0.6)
    if not matches:
        return ""
    quoted = ", ".join(f"'{m}'" for m in matches)
    return f"; did you mean {quoted}?"


# Reference-compatible spellings.
DagsterError = HeadwaterError
DagsterInvalidDefinitionError = InvalidDefinitionError
DagsterInvalidSubsetError = InvalidSubsetError
DagsterInvalidAssetSelectionError = InvalidAssetSelectionError
DagsterInvariantViolationError = InvariantViolationError
DagsterInvalidConfigError = InvalidConfigError
DagsterInvalidInvocationError = InvalidInvocationError
DagsterExecutionStepExecutionError = ExecutionStepError
DagsterStepOutputNotFoundError = StepOutputNotFoundError
DagsterExecutionHandleOutputError = HandleOutputError
DagsterExecutionLoadInputError = LoadInputError
DagsterTypeCheckDidNotPass = TypeCheckError
DagsterResourceFunctionError = ResourceFunctionError
DagsterHomeNotSetError = HomeNotSetError
DagsterUnknownPartitionError = UnknownPartitionError
DagsterInvalidObservationError = InvalidObservationError

"""`RunConfig` and `validate_run_config`: checking run config before any step runs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from headwater.errors import InvalidConfigError, did_you_mean
from headwater.resources._config import Config, build_config, schema_class
from headwater.resources._configurable import (
    ConfigurableResourceFactory,
    config_field_names,
    evolve_unchecked,
)
from headwater.resources._env import IntEnvVar, is_env_var, resolve_env_var
from headwater.resources._fields import (
    FieldsBase,
    config_dict,
    field_names,
    structure_fields,
    structure_value,
)

_SECTIONS = ("ops", "resources", "execution", "loggers")


class RunConfig:
    """Run config as Python objects: `Config` instances per op and config per resource.

    Args:
        ops: op (or asset) name -> a `Config` instance, or a ``{"config": {...}}`` mapping.
        resources: resource key -> a config mapping, a `Config`, or a configured resource.
        execution: executor config, passed through as given.
        loggers: logger config, passed through as given.
    """

    def __init__(
        self,
        ops: Mapping[str, Any] | None = None,
        resources: Mapping[str, Any] | None = None,
        loggers: Mapping[str, Any] | None = None,
        execution: Mapping[str, Any] | None = None,
    ):
        self.ops = dict(ops or {})
        self.resources = dict(resources or {})
        self.loggers = dict(loggers or {})
        self.execution = dict(execution or {})

    def to_config_dict(self) -> dict[str, Any]:
        """The equivalent run-config mapping; EnvVars appear as ``{"env": NAME}``."""
        return config_dict(_as_mapping(self))

    def __repr__(self) -> str:
        return f"RunConfig(ops={self.ops!r}, resources={self.resources!r})"


@attrs.frozen
class ResolvedRunConfig:
    """Validated run config.

    Attributes:
        ops: op name -> its config (a `Config` instance, a mapping, or the raw value).
        resources: resource key -> a configured resource instance or its config value.
        execution: executor config as given.
        loggers: logger config as given.
    """

    ops: Mapping[str, Any] = attrs.field(factory=dict)
    resources: Mapping[str, Any] = attrs.field(factory=dict)
    execution: Mapping[str, Any] = attrs.field(factory=dict)
    loggers: Mapping[str, Any] = attrs.field(factory=dict)

    def op_config(self, name: str) -> Any:
        """The config of op ``name``, or None when it has none."""
        return self.ops.get(name)


def _as_mapping(run_config: Any) -> Any:
    if not isinstance(run_config, RunConfig):
        return {} if run_config is None else run_config
    ops = {
        name: {"config": value} if isinstance(value, FieldsBase) else value
        for name, value in run_config.ops.items()
    }
    resources = {
        key: {"config": value} if isinstance(value, FieldsBase) else value
        for key, value in run_config.resources.items()
    }
    out: dict[str, Any] = {}
    for section, value in (
        ("ops", ops),
        ("resources", resources),
        ("execution", run_config.execution),
        ("loggers", run_config.loggers),
    ):
        if value:
            out[section] = value
    return out


def validate_run_config(
    run_config: Any,
    config_types_by_op: Mapping[str, Any],
    resource_defs: Mapping[str, Any],
) -> ResolvedRunConfig:
    """Check run config against the ops' config types and the resources, before any step runs.

    Args:
        run_config: a `RunConfig`, a run-config mapping (``{"ops": {name: {"config": ...}},
            "resources": {key: {"config": ...}}}``) or None.
        config_types_by_op: op name -> its config type (a `Config` subclass, a schema mapping,
            a type) or None for an op without declared config.
        resource_defs: resource key -> resource (anything `build_resources` accepts).

    Returns:
        The validated config, with `Config` instances built.

    Raises:
        InvalidConfigError: listing every missing, unknown or mistyped field with its path.
    """
    from headwater.resources._build import coerce_resource

    data = _as_mapping(run_config)
    errors: list[str] = []
    if not isinstance(data, Mapping):
        raise InvalidConfigError(f"$: run config must be a mapping, got {data!r}")
    for section in data:
        if section not in _SECTIONS:
            errors.append(
                f"$: unknown section '{section}'{did_you_mean(section, _SECTIONS) or '.'} "
                f"Allowed sections: {', '.join(_SECTIONS)}."
            )
    ops_section = _section(data, "ops", errors)
    ops = _validate_ops(ops_section, config_types_by_op, errors)
    resources_section = _section(data, "resources", errors)
    defs = {key: coerce_resource(value) for key, value in resource_defs.items()}
    resources = _validate_resources(resources_section, defs, errors)
    if errors:
        if len(errors) == 1:
            raise InvalidConfigError(errors[0])
        raise InvalidConfigError(f"{len(errors)} config errors:\n  " + "\n  ".join(errors))
    return ResolvedRunConfig(
        ops=ops,
        resources=resources,
        execution=dict(_section(data, "execution", errors)),
        loggers=dict(_section(data, "loggers", errors)),
    )


def _section(data: Mapping[str, Any], name: str, errors: list[str]) -> Mapping[str, Any]:
    value = data.get(name) or {}
    if not isinstance(value, Mapping):
        errors.append(f"$.{name}: expected a mapping, got {value!r}")
        return {}
    return value


def _entry_config(entry: Any, path: str, allowed: tuple[str, ...], errors: list[str]) -> Any:
    if entry is None:
        return None
    if not isinstance(entry, Mapping):
        errors.append(f"{path}: expected a mapping with a 'config' entry, got {entry!r}")
        return None
    for key in entry:
        if key not in allowed:
            errors.append(
                f"{path}: unknown entry '{key}'{did_you_mean(key, allowed) or '.'} "
                f"Allowed entries: {', '.join(allowed)}."
            )
    return entry.get("config")


def _report_unknown(
    section: Mapping[str, Any],
    known: Mapping[str, Any],
    path: str,
    problem: str,
    known_label: str,
    errors: list[str],
) -> None:
    """Add an error for each entry of ``section`` not in ``known``; ``problem`` has a ``{}``."""
    names = sorted(known)
    errors.extend(
        f"{path}.{name}: {problem.format(name)}{did_you_mean(name, names) or '.'} "
        f"{known_label}: {', '.join(names) or '(none)'}."
        for name in section
        if name not in known
    )


def _validate_ops(
    section: Mapping[str, Any], types_by_op: Mapping[str, Any], errors: list[str]
) -> dict[str, Any]:
    _report_unknown(
        section, types_by_op, "$.ops", "no op or asset named '{}' in this job", "Known", errors
    )
    resolved: dict[str, Any] = {}
    for name, schema in types_by_op.items():
        path = f"$.ops.{name}"
        value = _entry_config(section.get(name), path, ("config", "inputs", "outputs"), errors)
        try:
            resolved[name] = _build_op_config(schema, value, f"{path}.config", name)
        except InvalidConfigError as exc:
            errors.append(str(exc))
    return resolved


def _build_op_config(schema: Any, value: Any, path: str, owner: str) -> Any:
    """An op's config: a `Config` class reads ``{"env": NAME}`` values now, a schema refuses them.

    Reading them here, before the run is created, means an unset variable fails the launch
    rather than the step.
    """
    if schema is None:
        return value
    cls = schema_class(schema, owner)
    if not (isinstance(cls, type) and issubclass(cls, FieldsBase)):
        return _with_env_values(structure_value(value, cls, path), path, read=False)
    built = _with_env_values(build_config(cls, value, path), path, read=cls is schema)
    return built if cls is schema else config_dict(built)


def _with_env_values(value: Any, path: str, *, read: bool) -> Any:
    """``value`` with each EnvVar in it read from the environment, or an error when not ``read``."""
    if is_env_var(value):
        if read:
            return resolve_env_var(value, path)
        expected = "int" if isinstance(value, IntEnvVar) else "str"
        raise InvalidConfigError(
            f"{path}: expected {expected}, got {{'env': {value.env_var_name!r}}}; a "
            "config_schema does not read environment variables. Annotate the function's config "
            "parameter with a Config class to read them."
        )
    if isinstance(value, FieldsBase):
        changes = {}
        for name in field_names(type(value)):
            current = getattr(value, name)
            new = _with_env_values(current, f"{path}.{name}", read=read)
            if new is not current:
                changes[name] = new
        return evolve_unchecked(value, changes) if changes else value
    if isinstance(value, list):
        items = [_with_env_values(item, f"{path}[{i}]", read=read) for i, item in enumerate(value)]
        return items if any(a is not b for a, b in zip(items, value)) else value
    if isinstance(value, dict):
        entries = {k: _with_env_values(v, f"{path}.{k}", read=read) for k, v in value.items()}
        return entries if any(entries[k] is not v for k, v in value.items()) else value
    return value


def _build_value(schema: Any, value: Any, path: str, owner: str) -> Any:
    """A resource's config; ``{"env": NAME}`` is refused unless the schema is a `Config` class."""
    if schema is None:
        return value
    cls = schema_class(schema, owner)
    if isinstance(cls, type) and issubclass(cls, FieldsBase):
        built = build_config(cls, value, path)
        if cls is schema:
            return built
        return config_dict(_with_env_values(built, path, read=False))
    return _with_env_values(structure_value(value, cls, path), path, read=False)


def _validate_resources(
    section: Mapping[str, Any], defs: Mapping[str, Any], errors: list[str]
) -> dict[str, Any]:
    _report_unknown(
        section, defs, "$.resources", "no resource with key '{}'", "Resource keys", errors
    )
    resolved: dict[str, Any] = {}
    for key, definition in defs.items():
        path = f"$.resources.{key}"
        value = _entry_config(section.get(key), path, ("config",), errors)
        try:
            if isinstance(definition, ConfigurableResourceFactory):
                resolved[key] = _configure(definition, value, f"{path}.config")
            else:
                resolved[key] = _build_value(
                    definition.config_schema, value, f"{path}.config", key.title()
                )
        except InvalidConfigError as exc:
            errors.append(str(exc))
    return resolved


def _configure(resource: ConfigurableResourceFactory, value: Any, path: str) -> Any:
    """``resource`` with run-config values overriding the ones given in Python."""
    if value is None:
        return resource
    if isinstance(value, type(resource)):
        return value
    if isinstance(value, Config):
        value = config_dict(value)
    if not isinstance(value, Mapping):
        raise InvalidConfigError(f"{path}: expected a mapping of config fields, got {value!r}")
    merged = {field.name: getattr(resource, field.name) for field in attrs.fields(type(resource))}
    allowed = config_field_names(type(resource))
    unknown = [name for name in value if name not in allowed]
    if unknown:
        lines = [
            f"{path}: unknown field '{name}'{did_you_mean(name, allowed) or '.'} "
            f"Allowed fields: {', '.join(allowed) or '(none)'}."
            for name in unknown
        ]
        raise InvalidConfigError("\n  ".join(lines))
    merged.update(value)
    return structure_fields(merged, type(resource), path)

"""Resources and config: `Config`, `ConfigurableResource`, `ResourceDefinition`, `EnvVar`,
`RunConfig`, run-config validation and `build_resources`."""

from headwater.resources._build import (
    Resources,
    build_resources,
    coerce_resource,
    missing_resource_keys,
    raise_for_missing_resources,
)
from headwater.resources._config import Config
from headwater.resources._configurable import ConfigurableResource, ConfigurableResourceFactory
from headwater.resources._definition import (
    InitResourceContext,
    ResourceDefinition,
    build_init_resource_context,
    resource,
)
from headwater.resources._env import EnvVar
from headwater.resources._run_config import ResolvedRunConfig, RunConfig, validate_run_config

__all__ = [
    "Config",
    "ConfigurableResource",
    "ConfigurableResourceFactory",
    "EnvVar",
    "InitResourceContext",
    "ResolvedRunConfig",
    "ResourceDefinition",
    "Resources",
    "RunConfig",
    "build_init_resource_context",
    "build_resources",
    "coerce_resource",
    "missing_resource_keys",
    "raise_for_missing_resources",
    "resource",
    "validate_run_config",
]

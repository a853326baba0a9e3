"""IO managers: the interface, its contexts, ways to define one, and filesystem helpers."""

from headwater.io._contexts import (
    InputContext,
    OutputContext,
    build_input_context,
    build_output_context,
)
from headwater.io._fs_layout import UnsafePathError, atomic_write, path_for, safe_path
from headwater.io._manager import (
    ConfigurableIOManager,
    ConfigurableIOManagerFactory,
    IOManager,
    IOManagerDefinition,
    io_manager,
)

__all__ = [
    "ConfigurableIOManager",
    "ConfigurableIOManagerFactory",
    "IOManager",
    "IOManagerDefinition",
    "InputContext",
    "OutputContext",
    "UnsafePathError",
    "atomic_write",
    "build_input_context",
    "build_output_context",
    "io_manager",
    "path_for",
    "safe_path",
]

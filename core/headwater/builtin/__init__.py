"""Built-in plugins: each module here is registered through the same hooks as third-party ones.

`BUILTIN_PLUGINS` lists them by module name, in registration order. They are registered with
``trylast`` implementations so any installed plugin can override or wrap them.
"""

BUILTIN_PLUGINS: tuple[str, ...] = (
    # (BEGIN builtins) one module name per line
    "headwater.builtin.python_locations",
    "headwater.builtin.core_commands",
    "headwater.builtin.fs_io_manager",
    "headwater.builtin.memory_io_manager",
    "headwater.builtin.sqlite_storage",
    "headwater.builtin.in_process_executor",
    "headwater.builtin.multiprocess_executor",
    # (END builtins)
)

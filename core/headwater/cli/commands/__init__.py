"""The core commands, one module per group; `headwater.builtin.core_commands` registers them."""

"""The ``hello`` code location: its assets live in `hello_location.assets`."""

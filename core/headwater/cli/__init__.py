"""The ``headwater`` command line (console script ``headwater = headwater.cli:main``).

Commands are added through the ``register_commands`` hook, the core ones included, and each
command module is imported only when that command runs (or its help is shown).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``headwater`` command line with ``argv`` (default: ``sys.argv[1:]``)."""
    from headwater.cli.app import build_cli

    build_cli().main(args=list(argv) if argv is not None else None, prog_name="headwater")

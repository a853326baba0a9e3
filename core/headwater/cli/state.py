"""What the root group hands to every command: global options and the instance."""

from __future__ import annotations

import json
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from headwater.instance import Instance

LOG_FORMATS = ("colored", "json", "plain")

_LEVEL_COLORS = {"DEBUG": "blue", "INFO": "green", "WARNING": "yellow", "ERROR": "red"}


class CliState:
    """Options of the root group, shared by every command through ``ctx.obj``."""

    def __init__(self, *, log_format: str | None = None, show_traceback: bool = False) -> None:
        self.log_format = log_format or ("colored" if sys.stderr.isatty() else "plain")
        self.show_traceback = show_traceback
        self._instance: Instance | None = None

    @property
    def instance(self) -> Instance:
        """The instance of ``HEADWATER_HOME``, opened on first use."""
        if self._instance is None:
            from headwater import Instance

            self._instance = Instance.get()
        return self._instance

    def configure_logging(self) -> None:
        """Send the ``headwater`` logger's records to stderr in the chosen format."""
        logger = logging.getLogger("headwater")
        for handler in [h for h in logger.handlers if getattr(h, "_headwater_cli", False)]:
            logger.removeHandler(handler)
        handler = logging.StreamHandler(sys.stderr)
        handler._headwater_cli = True  # type: ignore[attr-defined]
        handler.setFormatter(_FORMATTERS[self.log_format]())
        logger.addHandler(handler)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.INFO)


class _PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")


class _ColoredFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        import click

        level = click.style(record.levelname, fg=_LEVEL_COLORS.get(record.levelname, "white"))
        time = click.style(self.formatTime(record), dim=True)
        return f"{time} {level} {record.name}: {record.getMessage()}"


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": record.created,
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


_FORMATTERS = {"colored": _ColoredFormatter, "json": _JsonFormatter, "plain": _PlainFormatter}

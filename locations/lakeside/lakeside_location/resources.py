"""The resource every lakeside asset reads and writes its CSV files through."""

from __future__ import annotations

import csv
import os
import random
from pathlib import Path

import headwater as dg


class LakesideFiles(dg.ConfigurableResource):
    """CSV files of the lakeside data, under ``directory``.

    An empty ``directory`` (the default) means ``<instance storage directory>/lakeside``, so
    the data lives next to the values headwater stores.
    """

    directory: str = ""

    def root(self) -> Path:
        """The directory holding the CSV files (created on first use)."""
        root = Path(self.directory) if self.directory else self._default_root()
        root.mkdir(parents=True, exist_ok=True)
        return root

    def write_rows(self, name: str, header: list[str], rows: list[list[object]]) -> Path:
        """Write ``rows`` under ``header`` to ``<root>/<name>.csv`` atomically; return the path."""
        path = self.root() / f"{name}.csv"
        # A per-process temporary name: two workers may write the same file at once.
        partial = path.with_suffix(f".csv.{os.getpid()}.partial")
        with partial.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        os.replace(partial, path)
        return path

    def read_rows(self, name: str) -> list[dict[str, str]]:
        """The rows of ``<root>/<name>.csv`` as dictionaries keyed by column."""
        with (self.root() / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    def path(self, name: str) -> Path:
        """Where ``<name>.csv`` lives (it may not exist yet)."""
        return self.root() / f"{name}.csv"

    def gauge_export(self) -> Path:
        """The lake level gauge's export file, which an outside system keeps up to date.

        Stands in for that system: the first call writes a month of synthetic readings.
        """
        path = self.path("lake_level")
        if not path.exists():
            rng = random.Random(11)
            rows = [[f"2024-06-{day:02d}", 120 + rng.randint(-8, 8)] for day in range(1, 31)]
            self.write_rows("lake_level", ["date", "level_cm"], rows)
        return path

    def _default_root(self) -> Path:
        context = self.get_resource_context()
        instance = getattr(context, "instance", None)
        if instance is None:
            raise dg.InvalidDefinitionError(
                "LakesideFiles has no directory and no instance to put its files under; "
                "set LakesideFiles(directory=...) or run it under an instance."
            )
        return Path(instance.storage_directory()) / "lakeside"

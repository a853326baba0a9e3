"""Partition mappings involving two-dimensional (multi) partitions definitions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

import attrs

from headwater.errors import InvalidDefinitionError
from headwater.partitions.base import DynamicPartitionsStore, PartitionsDefinition
from headwater.partitions.mappings import (
    PartitionMapping,
    UpstreamPartitionsResult,
    _result,
    _translate,
)
from headwater.partitions.multi import MultiPartitionKey, MultiPartitionsDefinition
from headwater.partitions.subsets import (
    AllPartitionsSubset,
    KeysPartitionsSubset,
    MultiPartitionsSubset,
    PartitionsSubset,
)


def _project(subset: PartitionsSubset, dimension: str) -> PartitionsSubset:
    """Return the keys of one dimension that occur in a multi subset."""
    subset = subset.concrete()
    multi = subset.partitions_def
    assert isinstance(subset, MultiPartitionsSubset)
    assert isinstance(multi, MultiPartitionsDefinition)
    if dimension == multi.primary_dimension.name:
        result = multi.primary_dimension.partitions_def.empty_subset()
        for row in subset.rows.values():
            result = result | row
        return result
    return multi.secondary_dimension.partitions_def.empty_subset().with_partition_keys(subset.rows)


def _expand(
    multi: MultiPartitionsDefinition,
    per_dimension: Mapping[str, PartitionsSubset],
) -> MultiPartitionsSubset:
    """Return the product of one subset per dimension."""
    primary = per_dimension[multi.primary_dimension.name].concrete()
    secondary_keys = per_dimension[multi.secondary_dimension.name].get_partition_keys()
    return MultiPartitionsSubset(multi, dict.fromkeys(secondary_keys, primary))


def _all(partitions_def, current_time, store) -> PartitionsSubset:
    return AllPartitionsSubset(partitions_def, current_time, store).concrete()


@attrs.frozen
class MultiToSingleDimensionPartitionMapping(PartitionMapping):
    """Maps between a two-dimensional definition and a one-dimensional one that equals one of
    its dimensions: a multi partition corresponds to the partition of that dimension.

    Args:
        partition_dimension_name: the matching dimension; found automatically when omitted.
    """

    partition_dimension_name: str | None = None

    def _dimension(self, a: PartitionsDefinition, b: PartitionsDefinition):
        if isinstance(a, MultiPartitionsDefinition) == isinstance(b, MultiPartitionsDefinition):
            raise InvalidDefinitionError(
                "MultiToSingleDimensionPartitionMapping needs exactly one "
                "MultiPartitionsDefinition "
                f"side; got {a!r} and {b!r}."
            )
        multi, single = (a, b) if isinstance(a, MultiPartitionsDefinition) else (b, a)
        if self.partition_dimension_name is not None:
            multi.get_partitions_def_for_dimension(self.partition_dimension_name)
            return multi, self.partition_dimension_name
        matches = [d.name for d in multi.partitions_defs if d.partitions_def == single]
        if len(matches) != 1:
            raise InvalidDefinitionError(
                f"Cannot tell which dimension of {multi!r} corresponds to {single!r}; pass "
                "MultiToSingleDimensionPartitionMapping(partition_dimension_name=...)."
            )
        return multi, matches[0]

    def _map(self, subset, source_def, target_def, current_time, store):
        multi, dim = self._dimension(source_def, target_def)
        if isinstance(source_def, MultiPartitionsDefinition):
            return _translate(_project(subset, dim), target_def, current_time, store)
        mapped = _translate(
            subset, multi.get_partitions_def_for_dimension(dim), current_time, store
        )
        other = next(d for d in multi.partitions_defs if d.name != dim)
        per_dim = {
            dim: mapped.partitions_subset,
            other.name: _all(other.partitions_def, current_time, store),
        }
        missing = KeysPartitionsSubset(
            target_def,
            frozenset(
                MultiPartitionKey({dim: k, other.name: o})
                for k in mapped.required_but_nonexistent_partition_keys
                for o in per_dim[other.name].get_partition_keys()
            ),
        )
        return UpstreamPartitionsResult(_expand(multi, per_dim), missing)

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        if downstream_partitions_subset is None:
            return _result(upstream_partitions_def.empty_subset())
        return self._map(
            downstream_partitions_subset,
            downstream_partitions_def,
            upstream_partitions_def,
            current_time,
            dynamic_partitions_store,
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        return self._map(
            upstream_partitions_subset,
            upstream_partitions_def,
            downstream_partitions_def,
            current_time,
            dynamic_partitions_store,
        ).partitions_subset


@attrs.frozen
class DimensionPartitionMapping:
    """One upstream dimension's mapping in a `MultiPartitionMapping`.

    Args:
        dimension_name: the downstream dimension the upstream dimension maps from.
        partition_mapping: the mapping between the two dimensions.
    """

    dimension_name: str
    partition_mapping: PartitionMapping


def _freeze(mapping: Mapping[str, DimensionPartitionMapping]):
    return tuple(sorted(mapping.items()))


@attrs.frozen
class MultiPartitionMapping(PartitionMapping):
    """Maps between two two-dimensional definitions, one mapping per upstream dimension.

    Upstream dimensions not named here read all partitions of that dimension.

    Args:
        downstream_mappings_by_upstream_dimension: upstream dimension name ->
            `DimensionPartitionMapping` naming the downstream dimension and the mapping.
    """

    _items: tuple[tuple[str, DimensionPartitionMapping], ...] = attrs.field(
        converter=_freeze, alias="downstream_mappings_by_upstream_dimension"
    )

    @property
    def downstream_mappings_by_upstream_dimension(self) -> dict[str, DimensionPartitionMapping]:
        """The dimension mappings, by upstream dimension name."""
        return dict(self._items)

    def _check(self, downstream_def, upstream_def) -> None:
        for side, partitions_def in (("downstream", downstream_def), ("upstream", upstream_def)):
            if not isinstance(partitions_def, MultiPartitionsDefinition):
                raise InvalidDefinitionError(
                    f"MultiPartitionMapping needs a MultiPartitionsDefinition on both sides; the "
                    f"{side} side is {partitions_def!r}."
                )
        for up_dim, dim_mapping in self._items:
            upstream_def.get_partitions_def_for_dimension(up_dim)
            downstream_def.get_partitions_def_for_dimension(dim_mapping.dimension_name)

    def _rows(self, subset: PartitionsSubset):
        subset = subset.concrete()
        multi = subset.partitions_def
        primary, secondary = multi.primary_dimension, multi.secondary_dimension
        for key, row in subset.rows.items():
            one = secondary.partitions_def.empty_subset().with_partition_keys([key])
            yield {primary.name: row, secondary.name: one}

    def _map(
        self,
        subset: PartitionsSubset,
        target: MultiPartitionsDefinition,
        per_target_dim: Callable[
            [str, dict[str, PartitionsSubset]], UpstreamPartitionsResult | None
        ],
        current_time: datetime | None,
        store: DynamicPartitionsStore | None,
    ):
        result = target.empty_subset()
        missing: set[str] = set()
        for source_row in self._rows(subset):
            per_dim, absent = {}, {}
            for dim in target.partitions_defs:
                mapped = per_target_dim(dim.name, source_row)
                if mapped is None:
                    per_dim[dim.name] = _all(dim.partitions_def, current_time, store)
                    absent[dim.name] = []
                else:
                    per_dim[dim.name] = mapped.partitions_subset
                    absent[dim.name] = mapped.required_but_nonexistent_partition_keys
            result = result | _expand(target, per_dim)
            a, b = (d.name for d in target.partitions_defs)
            missing |= {
                MultiPartitionKey({a: x, b: y})
                for x in absent[a]
                for y in per_dim[b].get_partition_keys() + absent[b]
            }
            missing |= {
                MultiPartitionKey({a: x, b: y})
                for x in per_dim[a].get_partition_keys()
                for y in absent[b]
            }
        return UpstreamPartitionsResult(result, KeysPartitionsSubset(target, frozenset(missing)))

    def get_upstream_mapped_partitions_result_for_partitions(
        self,
        downstream_partitions_subset,
        downstream_partitions_def,
        upstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        self._check(downstream_partitions_def, upstream_partitions_def)
        by_upstream = dict(self._items)
        if downstream_partitions_subset is None:
            return _result(upstream_partitions_def.empty_subset())

        def per_dim(up_dim, row):
            dim_mapping = by_upstream.get(up_dim)
            if dim_mapping is None:
                return None
            down_dim = dim_mapping.dimension_name
            return (
                dim_mapping.partition_mapping.get_upstream_mapped_partitions_result_for_partitions(
                    row[down_dim],
                    downstream_partitions_def.get_partitions_def_for_dimension(down_dim),
                    upstream_partitions_def.get_partitions_def_for_dimension(up_dim),
                    current_time,
                    dynamic_partitions_store,
                )
            )

        return self._map(
            downstream_partitions_subset,
            upstream_partitions_def,
            per_dim,
            current_time,
            dynamic_partitions_store,
        )

    def get_downstream_partitions_for_partitions(
        self,
        upstream_partitions_subset,
        upstream_partitions_def,
        downstream_partitions_def,
        current_time=None,
        dynamic_partitions_store=None,
    ):
        self._check(downstream_partitions_def, upstream_partitions_def)
        by_downstream = {m.dimension_name: (up, m) for up, m in self._items}

        def per_dim(down_dim, row):
            if down_dim not in by_downstream:
                return None
            up_dim, dim_mapping = by_downstream[down_dim]
            return _result(
                dim_mapping.partition_mapping.get_downstream_partitions_for_partitions(
                    row[up_dim],
                    upstream_partitions_def.get_partitions_def_for_dimension(up_dim),
                    downstream_partitions_def.get_partitions_def_for_dimension(down_dim),
                    current_time,
                    dynamic_partitions_store,
                )
            )

        return self._map(
            upstream_partitions_subset,
            downstream_partitions_def,
            per_dim,
            current_time,
            dynamic_partitions_store,
        ).partitions_subset

"""Sets of node ids as Python ints: bit ``i`` set means node ``i`` is in the set.

Union, intersection and difference of two sets are then one C-level integer operation,
which keeps selection algebra cheap on graphs with thousands of assets.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress

_DIGIT_VALUES = bytes.maketrans(b"01", b"\x00\x01")
_POSITIONS: list[int] = []


def bits_of(ids: Iterable[int], size: int) -> int:
    """The bitset holding ``ids``; ``size`` is the number of nodes in the graph."""
    buffer = bytearray((size >> 3) + 1)
    for i in ids:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


def ids_of(bits: int) -> list[int]:
    """The ids set in ``bits``, ascending."""
    if not bits:
        return []
    # The reversed binary string has bit i at index i.
    text = bin(bits)[:1:-1]
    if bits.bit_count() * 20 < len(text):
        # Sparse: str.find skips runs of zeros in C.
        out: list[int] = []
        i = text.find("1")
        while i >= 0:
            out.append(i)
            i = text.find("1", i + 1)
        return out
    # Dense: translate "0"/"1" to bytes 0/1 and let compress pick positions from a shared,
    # pre-built list of ints (so no int objects are allocated per position).
    if len(_POSITIONS) < len(text):
        _POSITIONS.extend(range(len(_POSITIONS), 2 * len(text)))
    return list(compress(_POSITIONS, text.encode().translate(_DIGIT_VALUES)))


def full(size: int) -> int:
    """The bitset of every id below ``size``."""
    return (1 << size) - 1

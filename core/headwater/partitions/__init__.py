"""Partitions: definitions addressed by index, compact subsets, and partition mappings.

The public names are re-exported lazily from ``headwater``; import them from there.
"""

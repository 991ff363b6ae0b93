"""Unstuck: notice, understand and work through the moments when a client is not progressing.

The core packages (`unstuck.measures`, `unstuck.progress`) are pure Python: plain values and
arrays in, frozen dataclasses out. Shells (`unstuck.analysis` for files, `unstuck.cli`) load
data, call the core and present the result.
"""

__version__ = "0.1.0"

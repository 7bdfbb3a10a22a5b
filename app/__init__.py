"""Sourced: a sourced event dataset served over HTTP."""

__version__ = "0.1.0"

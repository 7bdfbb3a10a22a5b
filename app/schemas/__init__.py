"""Validated shapes of what comes in (seed files, request bodies) and what goes out."""

"""The HTTP layer: thin routes, shared dependencies and the error handlers."""

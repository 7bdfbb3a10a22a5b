"""Short, unique operation ids, so that a client generated from the OpenAPI document reads well.

FastAPI's default joins the function name, the path and the method
(`get_figure_v1_figures__slug__get`); a generated client then has `get_figure_v1_figures_slug_get`.
Here an operation is named by what it does: its function's name, or an id given on the route
(`operation_id=`), renamed below where the function's name alone is not unique or not clear.
"""

from fastapi.routing import APIRoute

# Function names that several routes share, or that do not say what they answer.
_RENAMED = {
    "get_citation": "get_figure_citation",
    "atom_feed": "get_changes_feed",
    "measure_feed": "get_measure_changes_feed",
}


def _kind(route: APIRoute) -> str:
    """The record a `/v1/{plural}/...` route is about, in the singular (`figure`)."""
    return route.path.split("/")[2].removesuffix("s")


def operation_id(route: APIRoute) -> str:
    if route.name == "record_feed":  # one per kind, from one function
        return f"get_{_kind(route)}_history_feed"
    return _RENAMED.get(route.name, route.name)

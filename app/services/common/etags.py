"""Reading the entity tags a client sends (If-Match, If-None-Match): one parser for the ETag
middleware, the response cache and the write checks."""


def listed(header: str) -> list[str]:
    """The tags in a header, in order, weak ones compared as strong (``W/"3-ab"`` is
    ``"3-ab"``): a record's tags are only ever compared to say "unchanged"."""
    return [tag.strip().removeprefix("W/") for tag in header.split(",")]


def none_match(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (or ``*``): the client's copy is current."""
    candidates = set(listed(if_none_match))
    return "*" in candidates or etag.removeprefix("W/") in candidates

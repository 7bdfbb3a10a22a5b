"""Entity tags for records: they change whenever anything shown in the record changes.

A figure's representation embeds its event and the sources of its chain, so its tag folds in
their versions too; a stale tag on a write is refused before the conditional UPDATE runs.
"""

import hashlib
from collections.abc import Sequence

from app.services.common.views import Link

# The shape of the public JSON: bumped when a field is renamed or moved, so that a tag a client
# kept from before never matches a representation that reads differently (2: a source's web
# address is `website` in a chain, as on the source).
REPRESENTATION = "2"


def etag(
    kind: str,
    record_id: int,
    version: int,
    *,
    related: tuple[object, ...] = (),
    chain: Sequence[Link] = (),
) -> str:
    parts = [REPRESENTATION, kind, str(record_id), str(version), *map(str, related)]
    for link in chain:
        parts += [
            str(link.version),
            link.source.slug,
            str(link.source.version),
            str(link.source.parent_version),
        ]
    digest = hashlib.blake2b("|".join(parts).encode(), digest_size=6).hexdigest()
    return f'"{version}-{digest}"'

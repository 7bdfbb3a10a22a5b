"""A search page's cursor is written compactly, like every list's, and a cursor in the older
spelling (`{"o": 2}` with a space) still reads the same page."""

import base64
import json


def test_the_next_cursor_is_compact_and_the_old_spelling_still_reads(seeded_client):
    first = seeded_client.get("/v1/search?q=barrier+troops&limit=2").json()
    compact = base64.urlsafe_b64encode(b'{"o":2}').decode().rstrip("=")
    spaced = base64.urlsafe_b64encode(json.dumps({"o": 2}).encode()).decode().rstrip("=")
    assert first["next"].endswith(f"&cursor={compact}")
    new = seeded_client.get(f"/v1/search?q=barrier+troops&limit=2&cursor={compact}")
    old = seeded_client.get(f"/v1/search?q=barrier+troops&limit=2&cursor={spaced}")
    assert (new.status_code, old.status_code) == (200, 200)
    assert old.json() == new.json()
    assert [item["slug"] for item in new.json()["items"]] != [
        item["slug"] for item in first["items"]
    ]

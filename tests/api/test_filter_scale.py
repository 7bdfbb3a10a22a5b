"""`q` on a list is joined in SQL, never bound as a list of ids.

A common word matches most of a big dataset: bound one id per parameter, a million figures
exceed what a statement may carry (65,535 parameters on PostgreSQL) and the request fails.
The parameters a list's statements bind must not grow with the number of matches.
"""

import pytest
from sqlalchemy import event

from tests import builders


def _largest_parameter_list(engine, client, url: str) -> int:  # type: ignore[no-untyped-def]
    seen: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        seen.append(len(parameters or ()))

    # The app builds its own engine on the same database: listen on every engine.
    event.listen(type(engine), "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(type(engine), "before_cursor_execute", count)
    assert response.status_code == 200, response.text
    return max(seen)


@pytest.mark.slow
def test_the_q_filter_binds_the_same_whatever_matches(engine, client, tmp_path):
    builders.load(engine, tmp_path / "few", builders.dataset(3, values=[1, 2, 3]))
    few = _largest_parameter_list(engine, client, "/v1/figures?q=soldiers&limit=2")
    events_few = _largest_parameter_list(engine, client, "/v1/events?q=soldiers&limit=2")
    builders.load(engine, tmp_path / "many", builders.dataset(40, values=list(range(1, 41))))
    assert client.get("/v1/figures?q=soldiers&count=true").json()["total"] == 40
    many = _largest_parameter_list(engine, client, "/v1/figures?q=soldiers&limit=2")
    assert many == few
    assert _largest_parameter_list(engine, client, "/v1/events?q=soldiers&limit=2") == events_few

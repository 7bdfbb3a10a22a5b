"""Figures' stored public texts (app/services/derived/figure_docs.py): written with every change to
what a figure shows, identical to a fresh rendering, and never needed for a correct answer."""

import copy
import threading

import orjson
import pytest
from sqlalchemy import delete, func, select, text
from sqlmodel import Session

from app.db import unit_of_work
from app.models import Figure, FigureDoc
from app.schemas.figure import FigurePublic
from app.schemas.figure_json import FigureRecord
from app.services.derived import figure_docs
from app.services.present import tables
from app.services.read import figures
from app.services.write import editing, ingest
from tests.builders import MINIMAL, write_seed
from tests.conftest import assert_figure_texts_fresh

BASE = "http://testserver/"
# Deleting stored texts writes no revision, so the response cache would answer from before.
FRESH = {"Cache-Control": "no-cache"}


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def _patch(client, editor, path: str, body: dict) -> None:
    etag = client.get(path).headers["etag"]
    response = client.patch(
        path, json=body, headers={**editor, "If-Match": etag, "Sourced-Reason": "test"}
    )
    assert response.status_code == 200, response.text


def test_seeding_writes_a_text_for_every_figure(seeded):
    assert _count(seeded, Figure) == 8
    assert _count(seeded, FigureDoc) == 8
    with Session(seeded) as session:
        assert figure_docs.missing(session) == 0
        assert figure_docs.stale(session) == []


def test_a_stored_text_is_the_documented_record_byte_for_byte(seeded_client, seeded):
    with Session(seeded) as session:
        slugs = session.execute(select(Figure.slug).order_by(Figure.id)).scalars().all()
        for slug in slugs:
            view = figures.get_figure(session, slug)
            response = seeded_client.get(f"/v1/figures/{slug}")
            assert response.content == FigurePublic.of(view, BASE).model_dump_json().encode()
            assert response.headers["etag"] == view.etag


def test_a_stored_csv_row_is_the_row_the_encoder_writes(seeded):
    with Session(seeded) as session:
        pairs = session.execute(select(Figure.id, Figure.slug).order_by(Figure.id)).all()
        ids = [i for i, _ in pairs]
        texts = figure_docs.stored(session, [(i, slug) for i, slug in pairs])
        views = figures.views_by_id(session, ids)
    live = tables.Encoder("figures", "csv").encode([FigureRecord.of(v, BASE) for v in views])
    assert b"".join(t.csv_row(BASE) for t in texts) == live
    assert len(texts) == 8


def test_a_base_url_that_needs_quoting_is_quoted_in_csv(seeded):
    with Session(seeded) as session:
        view = figures.get_figure(session, "deserters-since-invasion")
        text_ = figure_docs.stored(session, [(view.figure.id, view.figure.slug)])[0]
    base = 'http://h/a,"b"/'
    live = tables.Encoder("figures", "csv").encode([FigureRecord.of(view, base)])
    assert text_.csv_row(base) == live
    assert text_.csv_row(base).startswith(
        b'deserters-since-invasion,"http://h/a,""b""/v1/figures/deserters-since-invasion",'
    )


def test_a_change_made_behind_the_services_back_is_found_stale(seeded):
    """The suite-wide check (tests/conftest.py) can fail: an event renamed by raw SQL leaves
    its figures' texts naming the old title."""
    with seeded.begin() as conn:
        conn.execute(text("UPDATE event SET title = 'Renamed' WHERE slug = 'russian-desertions'"))
        expected = sorted(
            conn.execute(
                text(
                    "SELECT figure.id FROM figure JOIN event ON event.id = figure.event_id "
                    "WHERE event.slug = 'russian-desertions'"
                )
            ).scalars()
        )
    assert len(expected) == 2
    with Session(seeded) as session:
        assert figure_docs.stale(session) == expected
    with pytest.raises(AssertionError):
        assert_figure_texts_fresh(seeded)
    with unit_of_work(seeded) as session:
        assert figure_docs.rebuild(session) == 8
    assert_figure_texts_fresh(seeded)


def test_renaming_a_source_rewrites_the_figures_that_cite_it(seeded_client, seeded_editor):
    _patch(
        seeded_client,
        seeded_editor,
        "/v1/sources/rfe-rl",
        {"name": "RFE/RL", "short_name": "Radio Liberty"},
    )
    items = seeded_client.get("/v1/figures?source=rfe-rl&limit=100").json()["items"]
    assert len(items) == 3
    for item in items:
        assert "RFE/RL" in [link["source"]["name"] for link in item["attributions"]]
    everything = seeded_client.get("/v1/figures?format=ndjson").text
    assert "RadioFreeEurope/RadioLiberty" not in everything
    detail = seeded_client.get("/v1/figures/deserters-since-invasion").json()
    assert " cited by Radio Liberty, as published in “" in detail["citation"]


def test_renaming_a_parent_source_rewrites_the_figures_of_the_sources_under_it(
    seeded_client, seeded_editor
):
    before = seeded_client.get("/v1/figures/deserters-since-invasion")
    _patch(
        seeded_client,
        seeded_editor,
        "/v1/sources/ru-mod",
        {"name": "Ministry of Defence of Russia"},
    )
    after = seeded_client.get("/v1/figures/deserters-since-invasion")
    claimant = after.json()["attributions"][0]["source"]
    assert (claimant["slug"], claimant["parent"]) == (
        "ru-mod-leaked-reports-2024",
        "Ministry of Defence of Russia",
    )
    assert after.headers["etag"] != before.headers["etag"]


def test_retitling_an_event_rewrites_its_figures_and_their_etags(seeded_client, seeded_editor):
    before = seeded_client.get("/v1/figures/deserters-since-invasion")
    _patch(seeded_client, seeded_editor, "/v1/events/russian-desertions", {"title": "Desertions"})
    after = seeded_client.get("/v1/figures/deserters-since-invasion")
    assert after.json()["event"]["title"] == "Desertions"
    assert after.headers["etag"] != before.headers["etag"]
    listed = seeded_client.get("/v1/figures?event=russian-desertions").json()["items"]
    assert [f["event"]["title"] for f in listed] == ["Desertions", "Desertions"]


def test_a_retraction_rewrites_the_text(seeded_client, seeded_editor, seeded):
    etag = seeded_client.get("/v1/figures/deserters-since-invasion").headers["etag"]
    response = seeded_client.delete(
        "/v1/figures/deserters-since-invasion",
        headers={**seeded_editor, "If-Match": etag, "Sourced-Reason": "the outlet withdrew it"},
    )
    assert response.status_code in (200, 204), response.text
    detail = seeded_client.get("/v1/figures/deserters-since-invasion").json()
    assert (detail["status"], detail["status_reason"]) == ("retracted", "the outlet withdrew it")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/figures?limit=100",
        "/v1/figures?measure=deserters",
        "/v1/figures?format=csv",
        "/v1/figures?format=ndjson",
        "/v1/figures?format=csv&limit=3",
        "/v1/figures/deserters-since-invasion",
    ],
)
@pytest.mark.slow
def test_without_stored_texts_every_answer_is_the_same(seeded_client, seeded, path):
    stored = seeded_client.get(path)
    with unit_of_work(seeded) as session:
        session.execute(delete(FigureDoc))
    rendered = seeded_client.get(path, headers=FRESH)
    assert rendered.status_code == stored.status_code == 200
    assert rendered.content == stored.content
    assert rendered.headers.get("etag") == stored.headers.get("etag")
    with unit_of_work(seeded) as session:
        assert figure_docs.missing(session) == 8
        assert figure_docs.rebuild(session, only_missing=True) == 8
        assert figure_docs.rebuild(session, only_missing=True) == 0


@pytest.mark.parametrize("path", ["/v1/figures?limit=100", "/v1/figures?format=ndjson"])
def test_a_page_with_some_texts_missing_keeps_its_order(seeded_client, seeded, path):
    # A page reads its stored texts with its rows; the ones missing are rendered and must
    # land in their own places, not at the end.
    stored = seeded_client.get(path)
    with unit_of_work(seeded) as session:
        ids = sorted(session.execute(select(FigureDoc.figure_id)).scalars())
        every_other = ids[1::2]
        session.execute(delete(FigureDoc).where(FigureDoc.figure_id.in_(every_other)))
    partly = seeded_client.get(path, headers=FRESH)
    assert partly.status_code == 200
    assert partly.content == stored.content
    with unit_of_work(seeded) as session:
        assert figure_docs.missing(session) == len(every_other) == 4
        figure_docs.rebuild(session, only_missing=True)


def test_a_detail_without_its_stored_text_is_rendered(seeded_client, seeded):
    path = "/v1/figures/deserters-since-invasion"
    stored = seeded_client.get(path)
    with unit_of_work(seeded) as session:
        figure_id = figures.get_figure(session, "deserters-since-invasion").figure.id
        session.execute(delete(FigureDoc).where(FigureDoc.figure_id == figure_id))
    assert figure_docs.by_slug(seeded, "deserters-since-invasion") is None
    rendered = seeded_client.get(path, headers=FRESH)
    assert (rendered.content, rendered.headers["etag"]) == (stored.content, stored.headers["etag"])
    assert seeded_client.get("/v1/figures/no-such-figure").status_code == 404
    with unit_of_work(seeded) as session:
        assert figure_docs.rebuild(session, only_missing=True) == 1


@pytest.mark.postgres_only
def test_concurrent_corrections_of_an_event_and_its_figure_both_show(seeded):
    """PostgreSQL: a figure's correction holds its row while its event is corrected in
    another transaction. The event's writer waits, then renders what the first committed:
    no duplicate-key 500 (seen under load), no text missing either change."""

    def correct(session, kind, slug, patch):
        row = editing.find(session, kind, slug)
        record = editing.patched(session, kind, row, patch)
        editing.update(session, kind, record, "test", "concurrency")

    figure_session = Session(seeded)
    correct(figure_session, "figure", "deserters-since-invasion", {"note": "Corrected note"})
    failures: list[BaseException] = []

    def event_writer() -> None:
        try:
            with unit_of_work(seeded) as session:
                correct(session, "event", "russian-desertions", {"title": "Desertions"})
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=event_writer)
    thread.start()
    thread.join(timeout=1.0)
    assert thread.is_alive()  # waiting for the figure's row
    figure_session.commit()
    figure_session.close()
    thread.join(timeout=30)
    assert failures == []
    with Session(seeded) as session:
        view = figures.get_figure(session, "deserters-since-invasion")
        text_ = figure_docs.stored(session, [(view.figure.id, view.figure.slug)])[0]
    data = orjson.loads(text_.body)
    assert (data["note"], data["event"]["title"]) == ("Corrected note", "Desertions")


def test_new_figures_texts_are_written_from_the_records_in_hand(engine, tmp_path, monkeypatch):
    """A seed's new figures get their stored texts from the values it wrote (``of_new``),
    not by reading them back (``render``), and those texts are byte for byte a fresh
    rendering: decimals with trailing zeros or exponents, periods, a parent organisation,
    links with locators, access dates and unverified quotes, a figure derived from another."""
    from_hand: list[int] = []
    read_back: list[int] = []
    of_new, render = figure_docs.of_new, figure_docs.render

    def spy_new(new):
        texts = of_new(new)
        from_hand.extend(t.id for t in texts)
        return texts

    def spy_render(session, ids):
        fresh = render(session, ids)
        read_back.extend(fresh)
        return fresh

    monkeypatch.setattr(figure_docs, "of_new", spy_new)
    monkeypatch.setattr(figure_docs, "render", spy_render)
    data = copy.deepcopy(MINIMAL)
    data["sources"] += [
        {"slug": "agency", "name": "The agency", "kind": "news_service", "website": "https://a.example/"},
        {"slug": "desk", "name": "The desk", "kind": "news_outlet", "parent": "agency", "short_name": "Desk", "aliases": ["The D"]},
    ]  # fmt: skip
    base = data["figures"][0]
    relay = {
        "source": "desk",
        "role": "relay",
        "quote": "some 1,000 left",
        "quote_unverified": True,
        "locator": "p. 3",
        "accessed": "2024-05-01",
    }
    data["figures"] = [
        base | {"slug": "tens", "value": "1E+3", "lower_bound": "1000.000", "period": "2024-02-29"},
        base | {"slug": "tiny", "value": "0.5", "lower_bound": "0.50", "subject": "men", "period": "2023/2024"},
        base | {
            "slug": "relayed",
            "value": None,
            "lower_bound": "12.30",
            "note": 'a "note", with, commas\nand a line',
            "attributions": [base["attributions"][0], relay, base["attributions"][1]],
        },
        base | {"slug": "halved", "value": "25000", "lower_bound": None, "derived_from": "fled", "qualifier": "approximately"},
        base,
    ]  # fmt: skip
    ingest.run(engine, [write_seed(tmp_path, data)])
    seeding_read_back = list(read_back)
    with Session(engine) as session:
        ids = dict(session.execute(select(Figure.slug, Figure.id)).all())
        assert figure_docs.missing(session) == 0
        assert figure_docs.stale(session) == []  # every stored text is a fresh rendering
    # The derived figure waits for its origin's id and goes the per-record way.
    assert sorted(from_hand) == sorted(ids[s] for s in ("tens", "tiny", "relayed", "fled"))
    assert seeding_read_back == [ids["halved"]]

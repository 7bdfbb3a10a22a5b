"""One name for each meaning: a source's web address is `website` everywhere (seed files,
writes, the source record, the sources nested in a chain, CSV), and `url` is only ever a
record's API link, which the server sets."""

import csv
import io

import pytest
import yaml
from sqlalchemy import text

from app import migrate
from app.services.write import ingest
from tests import builders

AGENCY = "https://agency.example/"
DESK = "https://agency.example/desk"


@pytest.fixture
def api(engine, client, tmp_path):
    data = builders.dataset(2)
    data["sources"][4]["website"] = DESK
    builders.load(engine, tmp_path / "seed", data)
    return client


def detail(response) -> tuple[int, str, str]:
    return (response.status_code, response.headers["content-type"], response.json()["detail"])


class TestRead:
    def test_a_source_record_has_its_api_link_as_url_and_its_address_as_website(self, api):
        body = api.get("/v1/sources/agency").json()
        assert (body["url"], body["website"]) == ("http://testserver/v1/sources/agency", AGENCY)

    def test_the_sources_in_a_chain_carry_website_and_no_url(self, api):
        chain = api.get("/v1/figures/fig-0001").json()["attributions"]
        assert [link["source"]["slug"] for link in chain] == ["observers", "desk", "doc"]
        assert [link["source"]["website"] for link in chain] == [None, DESK, None]
        assert ["url" in link["source"] for link in chain] == [False, False, False]

    def test_a_list_page_and_the_detail_agree(self, api):
        listed = api.get("/v1/figures?limit=5").json()["items"]
        assert [link["source"]["website"] for link in listed[1]["attributions"]] == [
            None,
            DESK,
            None,
        ]
        assert listed[1] == api.get("/v1/figures/fig-0001").json()

    def test_the_sources_csv_has_a_website_column(self, api):
        rows = list(csv.DictReader(io.StringIO(api.get("/v1/sources?format=csv").text)))
        by_slug = {row["slug"]: row for row in rows}
        assert (by_slug["desk"]["url"], by_slug["desk"]["website"]) == (
            "http://testserver/v1/sources/desk",
            DESK,
        )

    def test_a_citation_links_the_relay_by_its_website(self, api):
        cited = api.get("/v1/figures/fig-0001/citation?style=markdown").text
        assert f"]({DESK})" in cited


class TestWrite:
    def test_a_source_read_with_get_can_be_sent_back_with_a_new_website(self, api, editor):
        read = api.get("/v1/sources/desk")
        body = {**read.json(), "website": "https://desk.example/"}
        response = api.patch(
            "/v1/sources/desk",
            json=body,
            headers={**editor, "If-Match": read.headers["etag"], "Sourced-Reason": "moved"},
        )
        assert response.status_code == 200, response.text
        assert (response.json()["url"], response.json()["website"]) == (
            "http://testserver/v1/sources/desk",
            "https://desk.example/",
        )
        chain = api.get("/v1/figures/fig-0001").json()["attributions"]
        assert chain[1]["source"]["website"] == "https://desk.example/"

    def test_a_changed_url_on_a_patch_is_named_read_only(self, api, editor):
        read = api.get("/v1/sources/desk")
        response = api.patch(
            "/v1/sources/desk",
            json={"url": "https://desk.example/"},
            headers={**editor, "If-Match": read.headers["etag"], "Sourced-Reason": "moved"},
        )
        assert detail(response) == (
            422,
            "application/problem+json",
            "url: read-only: it is 'http://testserver/v1/sources/desk' and a write cannot set "
            "it; a source's web address is `website`",
        )

    def test_a_new_source_with_url_is_refused_naming_website(self, api, editor):
        response = api.post(
            "/v1/sources",
            json={"slug": "new", "name": "New", "kind": "ngo", "url": "https://new.example/"},
            headers={**editor, "Sourced-Reason": "added"},
        )
        assert detail(response) == (
            422,
            "application/problem+json",
            "url: a source's web address is `website`; `url` is its API link, which the server "
            "sets",
        )

    def test_a_new_source_with_website_is_stored(self, api, editor):
        response = api.post(
            "/v1/sources",
            json={"slug": "new", "name": "New", "kind": "ngo", "website": "https://new.example/"},
            headers={**editor, "Sourced-Reason": "added"},
        )
        assert response.status_code == 201, response.text
        assert api.get("/v1/sources/new").json()["website"] == "https://new.example/"


def test_a_seed_file_with_url_names_the_field_and_its_new_name(engine, tmp_path):
    data = builders.dataset(1)
    data["sources"][3]["url"] = data["sources"][3].pop("website")
    folder = tmp_path / "seed"
    folder.mkdir()
    (folder / "doc.txt").write_text(builders.DOCUMENT_TEXT, encoding="utf-8")
    (folder / "data.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    with pytest.raises(ingest.SeedError) as raised:
        ingest.run(engine, [folder])

    assert [str(p).removeprefix(str(folder) + "/") for p in raised.value.problems] == [
        "data.yaml: sources[3] agency: url: a source's web address is `website`; `url` is its "
        "API link, which the server sets"
    ]


def test_the_migration_moves_the_address_and_drops_the_stored_texts(engine, migrated, tmp_path):
    builders.load(engine, tmp_path / "seed", builders.dataset(2))
    migrate.downgrade(migrated, "8d9a82e8d18d")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT url FROM source WHERE slug = 'agency'")).scalar() == AGENCY
        conn.execute(text("UPDATE figure_doc SET body = body"))

    migrate.upgrade(migrated)

    with engine.begin() as conn:
        website = conn.execute(text("SELECT website FROM source WHERE slug = 'agency'")).scalar()
        docs = conn.execute(text("SELECT count(*) FROM figure_doc")).scalar()
    assert (website, docs) == (AGENCY, 0)

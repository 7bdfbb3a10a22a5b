"""`POST /v1/drafts`: an editor's article in, the draft seed file out, nothing written."""

import orjson
import yaml

from app.api.routes.drafts import EXAMPLE_TITLE, EXCERPT
from tests.conftest import SEED_DIR

ARTICLE = (SEED_DIR / "documents" / "article-50000-deserters.txt").read_text(encoding="utf-8")


def test_a_draft_needs_an_editor_key(client):
    response = client.post("/v1/drafts", json={"article": EXCERPT})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_the_draft_is_yaml_by_default_matched_against_the_dataset_and_writes_nothing(
    seeded_client, seeded_editor
):
    before = seeded_client.get("/v1/changes?limit=1").json()
    response = seeded_client.post(
        "/v1/drafts", json={"article": EXCERPT, "title": EXAMPLE_TITLE}, headers=seeded_editor
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/yaml; charset=utf-8"
    assert response.headers["sourced-draft-summary"] == (
        "drafted 1 figure(s) from 1 sentence(s): 1 with a named claimant, 1 stored source(s) "
        "matched, 0 new source(s), 0 new measure(s); 6 review note(s) to check"
    )
    assert response.text.startswith("# A DRAFT written by `sourced draft`")
    seed = yaml.safe_load(response.text)
    assert seed["draft"]
    document = seed["sources"][0]
    assert document["name"] == EXAMPLE_TITLE
    assert document["full_text"] == EXCERPT
    [figure] = seed["figures"]
    assert {k: figure[k] for k in ("value", "lower_bound", "qualifier", "stated_as", "unit")} == {
        "value": 1000000,
        "lower_bound": 1000000,
        "qualifier": "more_than",
        "stated_as": "more than a million",
        "unit": "persons",
    }
    assert figure["measure"] == "killed_or_wounded"  # the stored term, by the words it shares
    assert [(a["source"], a["role"]) for a in figure["attributions"]] == [
        ("ua-mod", "claimant"),
        (document["slug"], "publisher"),
    ]
    assert figure["attributions"][-1]["quote"] == EXCERPT.strip()
    assert seeded_client.get("/v1/changes?limit=1").json() == before


def test_json_when_accept_prefers_it(seeded_client, seeded_editor):
    response = seeded_client.post(
        "/v1/drafts",
        json={"article": ARTICLE, "url": "https://example.org/a", "published": "2025"},
        headers={**seeded_editor, "Accept": "application/yaml;q=0.5, application/json"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    seed = orjson.loads(response.content)
    document = seed["sources"][0]
    assert (document["website"], document["published"]) == ("https://example.org/a", "2025")
    assert [f["stated_as"] for f in seed["figures"]] == [
        "thousands",
        "at least 50,000",
        "more than a million",
        "Tens of thousands",
        "nine",
        "a convoy driver",
        "10.201",
        "1.5 %",
    ]
    # Stored sources are matched by name and short name: RFE/RL is rfe-rl.
    claimants = {f["stated_as"]: f["attributions"][0]["source"] for f in seed["figures"]}
    assert claimants["nine"] == "rfe-rl"
    assert claimants["more than a million"] == "ua-mod"


def _problem(response):
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    return response.status_code, body["detail"], [e["field"] for e in body.get("errors") or []]


def test_bad_input_is_422_naming_the_field(client, editor):
    def post(body):
        return _problem(client.post("/v1/drafts", json=body, headers=editor))

    assert post({"article": ""}) == (
        422,
        "article: String should have at least 1 character",
        ["article"],
    )
    assert post({"article": " \n "}) == (422, "article: the article has no text", ["article"])
    assert post({"article": "<!doctype html><html><body><p> </p></body></html>"}) == (
        422,
        "article: no article text found in the HTML page",
        ["article"],
    )
    assert post({"article": EXCERPT, "published": "last spring"})[0::2] == (422, ["published"])
    assert post({"article": EXCERPT, "url": "ftp://example.org"})[0::2] == (422, ["url"])
    assert post({"article": EXCERPT, "headline": "x"})[0::2] == (422, ["headline"])
    assert post({})[0::2] == (422, ["article"])


def test_a_body_that_is_not_json_is_415(client, editor):
    response = client.post(
        "/v1/drafts",
        content=EXCERPT.encode(),
        headers={**editor, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"


def test_a_draft_sent_as_a_bundle_is_refused_until_the_mark_is_removed(client, editor):
    drafted = client.post(
        "/v1/drafts",
        json={"article": EXCERPT, "title": EXAMPLE_TITLE},
        headers={**editor, "Accept": "application/json"},
    )
    bundle = orjson.loads(drafted.content)
    refused = client.post("/v1/bundles", json=bundle, headers=editor)
    assert refused.status_code == 422
    fields = [(e["record"], e["field"]) for e in refused.json()["errors"]]
    assert fields[0] == ("file", "draft")
    assert ("figures[0] russian-personnel-more-than-a-million", "review") in fields
    del bundle["draft"]
    loaded = client.post("/v1/bundles", json=bundle, headers=editor)
    assert loaded.status_code == 200, loaded.text
    figure = client.get("/v1/figures/russian-personnel-more-than-a-million").json()
    assert figure["stated_as"] == "more than a million"
    assert figure["attributions"][-1]["quote"] == EXCERPT.strip()

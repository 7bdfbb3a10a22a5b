"""The docs page works with no internet: every asset it references is served by the app."""

import re


def test_docs_page_assets_are_all_served_locally(client):
    page = client.get("/docs")
    assert page.status_code == 200
    refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page.text)
    refs += re.findall(r"""url:\s*["']([^"']+)["']""", page.text)
    assert refs, "the docs page references no assets"
    for ref in refs:
        assert not ref.startswith(("http://", "https://", "//")), f"external asset {ref}"
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 0, ref


def test_openapi_schema_is_served(client):
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "Sourced"
    assert "/health" in schema["paths"]

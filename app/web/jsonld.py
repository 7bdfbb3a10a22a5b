"""schema.org JSON-LD for a figure's page: a ``Claim``, so that search engines and
fact-checking tools read who claims the number and where it appeared."""

from typing import Any


def _party(source: dict[str, Any]) -> dict[str, Any]:
    kind = "Person" if source.get("kind") == "person" else "Organization"
    node: dict[str, Any] = {"@type": kind, "name": source["name"]}
    if source.get("website"):
        node["url"] = source["website"]
    return node


def _work(source: dict[str, Any]) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "CreativeWork", "name": source["name"]}
    if source.get("website"):
        node["url"] = source["website"]
    return node


def claim(figure: dict[str, Any], root: str) -> dict[str, Any]:
    """The figure as a schema.org ``Claim``: its claimant as ``author``, the publisher as
    ``appearance`` and ``firstAppearance``, the relays as ``mentions``."""
    links = figure["attributions"]
    node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Claim",
        "@id": figure["url"],
        "url": figure["url"],
        "name": figure["stated_as"],
        "text": figure["citation"],
        "about": {
            "@type": "Event",
            "name": figure["event"]["title"],
            "url": f"{root}v1/events/{figure['event']['slug']}",
        },
        "dateModified": figure["updated_at"],
    }
    claimants = [link["source"] for link in links if link["role"] == "claimant"]
    if claimants:
        node["author"] = _party(claimants[0])
    publishers = [_work(link["source"]) for link in links if link["role"] == "publisher"]
    if publishers:
        node["appearance"] = publishers
        node["firstAppearance"] = publishers[0]
    relays = [_party(link["source"]) for link in links if link["role"] == "relay"]
    if relays:
        node["mentions"] = relays
    return node

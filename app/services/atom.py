"""The change feed as Atom (RFC 4287), for a newsroom's feed reader."""

from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.models import Revision

ATOM = "http://www.w3.org/2005/Atom"
PLURAL = {"figure": "figures", "event": "events", "source": "sources"}


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = text
    return element


def _record_url(root: str, revision: Revision) -> str:
    kind, _, _ = revision.subject.partition(":")
    slug = revision.entity_slug
    if kind in PLURAL and slug and revision.entity == kind:
        return f"{root}v1/{PLURAL[kind]}/{slug}"
    return f"{root}v1/changes?since="  # links of a chain point at the feed itself


def feed(revisions: list[Revision], root: str, title: str) -> bytes:
    ET.register_namespace("", ATOM)
    doc = ET.Element(f"{{{ATOM}}}feed")
    _text(doc, "title", f"{title}: changes")
    _text(doc, "id", f"{root}v1/changes.atom")
    updated = max((r.at for r in revisions), default=datetime(1970, 1, 1, tzinfo=UTC))
    _text(doc, "updated", updated.isoformat())
    ET.SubElement(doc, f"{{{ATOM}}}link", {"rel": "self", "href": f"{root}v1/changes.atom"})
    author = ET.SubElement(doc, f"{{{ATOM}}}author")
    _text(author, "name", title)
    for revision in revisions:
        entry = ET.SubElement(doc, f"{{{ATOM}}}entry")
        what = revision.entity_slug or revision.subject
        _text(entry, "title", f"{revision.action} {revision.entity} {what} (v{revision.version})")
        _text(entry, "id", f"{root}v1/changes/{revision.id}")
        _text(entry, "updated", revision.at.isoformat())
        ET.SubElement(
            entry, f"{{{ATOM}}}link", {"rel": "alternate", "href": _record_url(root, revision)}
        )
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(entry_author, "name", revision.actor)
        fields = ", ".join(sorted(revision.changes)) or "no field"
        _text(entry, "summary", f"{revision.reason} — changed: {fields}")
    return ET.tostring(doc, encoding="utf-8", xml_declaration=True)

"""The change feed as Atom (RFC 4287), for a newsroom's feed reader."""

import re
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from app.models import Revision
from app.services.history import Slugs

ATOM = "http://www.w3.org/2005/Atom"
PLURAL = {"figure": "figures", "event": "events", "source": "sources", "measure": "measures"}
# Characters XML 1.0 cannot carry at all; a reason or a slug never needs them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def record_url(root: str, revision: Revision, slugs: Slugs) -> str:
    """The record whose history the revision belongs to: a link of a chain, its figure's."""
    kind, _, _ = revision.subject.partition(":")
    slug = slugs.subject(revision.subject)
    if kind in PLURAL and slug:
        return f"{root}v1/{PLURAL[kind]}/{slug}"
    return f"{root}v1/changes"


def title(revision: Revision, slugs: Slugs) -> str:
    kind, _, _ = revision.subject.partition(":")
    owner = slugs.subject(revision.subject) or "(unknown)"
    if revision.entity != "attribution":
        return f"{revision.action} {revision.entity} {revision.entity_slug or owner} (v{revision.version})"
    link = revision.snapshot or {}
    source = slugs.of("source", link.get("source_id")) or "(unknown source)"
    return (
        f"{revision.action} attribution {link.get('role', 'link')} {source} "
        f"in the chain of {kind} {owner}"
    )


def feed(revisions: list[Revision], slugs: Slugs, root: str, name: str) -> bytes:
    ET.register_namespace("", ATOM)
    doc = ET.Element(f"{{{ATOM}}}feed")
    _text(doc, "title", f"{name}: changes")
    _text(doc, "id", f"{root}v1/changes.atom")
    updated = max((r.at for r in revisions), default=datetime(1970, 1, 1, tzinfo=UTC))
    _text(doc, "updated", _stamp(updated))
    ET.SubElement(doc, f"{{{ATOM}}}link", {"rel": "self", "href": f"{root}v1/changes.atom"})
    author = ET.SubElement(doc, f"{{{ATOM}}}author")
    _text(author, "name", name)
    for revision in revisions:
        entry = ET.SubElement(doc, f"{{{ATOM}}}entry")
        _text(entry, "title", title(revision, slugs))
        _text(entry, "id", f"{root}v1/changes/{revision.id}")
        _text(entry, "updated", _stamp(revision.at))
        ET.SubElement(
            entry,
            f"{{{ATOM}}}link",
            {"rel": "alternate", "href": record_url(root, revision, slugs)},
        )
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(entry_author, "name", revision.actor)
        fields = ", ".join(sorted(revision.changes)) or "no field"
        _text(entry, "summary", f"{revision.reason} — changed: {fields}")
    return ET.tostring(doc, encoding="utf-8", xml_declaration=True)

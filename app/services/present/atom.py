"""The change feeds as Atom (RFC 4287), for a newsroom's feed reader: every change, one
record's, or one measure's figures'. Each entry says in words what changed, who changed it and
why, with the old and the new value of each field."""

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree as ET

from app.models import Revision
from app.schemas.revision import HIDDEN, REFERENCES, Slugs

ATOM = "http://www.w3.org/2005/Atom"
PLURAL = {"figure": "figures", "event": "events", "source": "sources", "measure": "measures"}
# Feed readers know an entry by its id alone: a new id is a new entry, shown unread again.
# So ids must never change. A URL built from the request would change with the name the API is
# reached by (a proxy, a new domain, http or https) and names no page of its own; a tag URI
# (RFC 4151) names the revision itself, and its authority (the project's name and the year
# the scheme was adopted) is fixed for good. Entries link to their record with
# `rel="alternate"`, which is where a reader goes.
TAG = "tag:sourced,2026:"
# Longer values are cut (at a word where one is near) and end with an ellipsis.
LONGEST = 200
LONGEST_REASON_IN_TITLE = 120
# Characters XML 1.0 cannot carry at all; a reason or a slug never needs them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_VERBS = {
    "create": ("added", "Added"),
    "update": ("corrected", "Corrected"),
    "retract": ("retracted", "Retracted"),
    "delete": ("removed", "Removed"),
}


@dataclass(frozen=True)
class Channel:
    """One feed: its permanent name, its title, and where it and the record it follows are."""

    key: str
    title: str
    path: str
    record_path: str


EVERYTHING = Channel("changes", "changes", "v1/changes.atom", "v1/changes")


def of_record(kind: str, slug: str) -> Channel:
    plural = PLURAL[kind]
    return Channel(
        f"{plural}/{slug}/history",
        f"{kind} {slug}",
        f"v1/{plural}/{slug}/history.atom",
        f"v1/{plural}/{slug}",
    )


def of_measure(slug: str) -> Channel:
    return Channel(
        f"measures/{slug}/changes",
        f"figures of measure {slug}",
        f"v1/measures/{slug}/changes.atom",
        f"v1/measures/{slug}",
    )


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    element.text = _NOT_XML.sub("\ufffd", text)
    return element


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def shorten(text: str, longest: int = LONGEST) -> str:
    """The text on one line, cut to ``longest`` characters with an ellipsis when longer."""
    text = " ".join(text.split())
    if len(text) <= longest:
        return text
    cut = text[: longest - 1]
    space = cut.rfind(" ")
    if space >= longest * 3 // 4:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _value(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return f'"{shorten(value)}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return shorten(json.dumps(value, ensure_ascii=False))


def record_url(root: str, revision: Revision, slugs: Slugs) -> str:
    """The record whose history the revision belongs to: a link of a chain, its figure's."""
    kind, _, _ = revision.subject.partition(":")
    slug = slugs.subject(revision.subject)
    if kind in PLURAL and slug:
        return f"{root}v1/{PLURAL[kind]}/{slug}"
    return f"{root}v1/changes"


def _field_name(key: str) -> str:
    """The name readers know a field by: a reference by id is named as in the write shape."""
    return REFERENCES[key][0] if key in REFERENCES else key


def changed_fields(revision: Revision) -> list[str]:
    return sorted({_field_name(key) for key in revision.changes})


def _old(revision: Revision, key: str, now: Any) -> Any:
    change = revision.changes.get(key)
    return change.get("old") if isinstance(change, dict) else now


def title(revision: Revision, slugs: Slugs) -> str:
    """`Figure deserters-since-invasion corrected: note`, `Source rfe-rl added`,
    `Figure x chain: claimant ua-mod removed`, `Event y retracted: <reason>`."""
    kind, _, _ = revision.subject.partition(":")
    owner = slugs.subject(revision.subject) or revision.entity_slug or "(unknown)"
    if revision.entity == "attribution":
        # A link is named as it was before the change: "claimant x corrected: source".
        link = revision.snapshot or {}
        role, source_id = link.get("role"), link.get("source_id")
        if revision.action == "update":
            role = _old(revision, "role", role)
            source_id = _old(revision, "source_id", source_id)
        source = slugs.of("source", source_id) or "(unknown source)"
        label = f"{kind.capitalize()} {owner} chain: {role or 'link'} {source}"
    else:
        label = f"{revision.entity.capitalize()} {revision.entity_slug or owner}"
    verb = _VERBS.get(revision.action, (revision.action, ""))[0]
    if revision.action == "update":
        return f"{label} {verb}: {', '.join(changed_fields(revision)) or 'no field'}"
    if revision.action == "retract":
        return f"{label} {verb}: {shorten(revision.reason, LONGEST_REASON_IN_TITLE)}"
    return f"{label} {verb}"


def _change_line(key: str, change: dict[str, Any], slugs: Slugs, created: bool) -> str:
    name = _field_name(key)
    old, new = change.get("old"), change.get("new")
    if key in HIDDEN:
        said = "a text is stored" if created else "the stored text changed"
        return f"{name}: ({said}; not repeated here)"
    if key in REFERENCES:
        kind = REFERENCES[key][1]
        old, new = slugs.of(kind, old) or old, slugs.of(kind, new) or new
    if created:
        return f"{name}: {_value(new)}"
    return f"{name}: {_value(old)} → {_value(new)}"


def content(revision: Revision, slugs: Slugs) -> str:
    """Who and why on the first line, then one line per changed field: `note: "a" → "b"`."""
    verb = _VERBS.get(revision.action, ("", revision.action.capitalize()))[1]
    lines = [f"{verb} by {revision.actor}. Why: {revision.reason}"]
    created = revision.action == "create"
    # Internal ids say nothing to a reader, nor does the record a link of a chain belongs to
    # (the title names it).
    unsaid = {"id", "figure_id", "event_id"} if revision.entity == "attribution" else {"id"}
    changes = sorted(revision.changes.items(), key=lambda item: _field_name(item[0]))
    for key, change in changes:
        if isinstance(change, dict) and key not in unsaid:
            lines.append(_change_line(key, change, slugs, created))
    return "\n".join(lines)


def feed(
    revisions: list[Revision], slugs: Slugs, root: str, name: str, channel: Channel = EVERYTHING
) -> bytes:
    """The feed document; ``root`` (the request's base URL) is used for links only."""
    ET.register_namespace("", ATOM)
    doc = ET.Element(f"{{{ATOM}}}feed")
    _text(doc, "title", f"{name}: {channel.title}")
    _text(doc, "id", f"{TAG}{channel.key}")
    updated = max((r.at for r in revisions), default=datetime(1970, 1, 1, tzinfo=UTC))
    _text(doc, "updated", _stamp(updated))
    ET.SubElement(doc, f"{{{ATOM}}}link", {"rel": "self", "href": f"{root}{channel.path}"})
    ET.SubElement(
        doc, f"{{{ATOM}}}link", {"rel": "alternate", "href": f"{root}{channel.record_path}"}
    )
    author = ET.SubElement(doc, f"{{{ATOM}}}author")
    _text(author, "name", name)
    for revision in revisions:
        entry = ET.SubElement(doc, f"{{{ATOM}}}entry")
        _text(entry, "title", title(revision, slugs))
        _text(entry, "id", f"{TAG}revision/{revision.id}")
        _text(entry, "updated", _stamp(revision.at))
        ET.SubElement(
            entry,
            f"{{{ATOM}}}link",
            {"rel": "alternate", "href": record_url(root, revision, slugs)},
        )
        entry_author = ET.SubElement(entry, f"{{{ATOM}}}author")
        _text(entry_author, "name", revision.actor)
        _text(entry, "content", content(revision, slugs), type="text")
    data: bytes = ET.tostring(doc, encoding="utf-8", xml_declaration=True)
    return data

"""The attribution chain of one figure as inline SVG: claimant → relays → publisher.

Boxes run left to right, three to a row, and wrap onto further rows, so nothing is cut off on a
phone; a name too long even for ten lines is cut with "…" and given in full as the box's
tooltip. Every text is escaped (``esc``); each box links to its source's page.

The SVG basics both pictures share (cleaning text for XML, escaping, safe URLs, wrapping, the
accessible <svg> root) live here too; the estimates chart in ``charts`` imports them.

Both pictures are built as plain ``str`` parts, joined once and wrapped in ``Markup`` once at
the end, for speed: ``Markup.format`` and ``Markup.join`` made most of a figure page's time.
It is as safe as Markup was: every value put into a tag goes through ``esc`` (an f-string's
``{}`` holds ``esc(...)``, a name bound to what ``esc`` returned, or a fragment these functions
built the same way, such as ``body``), and every text from a record is first ``clean``ed of
the characters XML cannot hold. A test swaps ``esc`` for a marking one to check no text skips it.
"""

import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, sans-serif"
WIDTH = 440
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NOT_IN_URL = re.compile(r"[\s\\\x00-\x1f]")  # \s is exactly str.isspace


def esc(value: object) -> str:
    """``value`` as text safe both as an element's text and in a double-quoted attribute:
    & < > ' " written as markupsafe's ``escape`` writes them, and "=" as &#61; too, so no
    record's text even reads like an attribute (``onerror=``) in the source."""
    return (
        str(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
        .replace("=", "&#61;")
    )


def clean(value: object) -> str:
    """The text of ``value`` with the characters XML cannot hold removed (None is "")."""
    return "" if value is None else _NOT_XML.sub("", str(value))


def safe_url(url: object) -> str | None:
    """``url`` if it is http(s) or relative (not scheme-relative), else None: no link."""
    text = clean(url).strip()
    if not text or _NOT_IN_URL.search(text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed IPv6 bracket, a host that is no host: no link
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return text
    return text if not parts.scheme and not text.startswith("//") else None


def display_name(source: Mapping[str, Any] | None) -> str:
    """A source's short name if it has one, else its name."""
    if not source:
        return ""
    return clean(source.get("short_name") or source.get("name") or source.get("slug"))


def wrap(text: str, width: int, max_lines: int) -> tuple[list[str], bool]:
    """``text`` cut into lines of at most ``width`` characters at spaces (long words split),
    at most ``max_lines`` of them; the flag says whether it had to be cut short (…)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    if len(lines) <= max_lines:
        return lines or [""], False
    kept = lines[:max_lines]
    kept[-1] = kept[-1][: width - 1].rstrip() + "…"
    return kept, True


def svg_root(kind: str, key: str, title: str, desc: str, size: tuple[float, float]) -> str:
    """The opening of an accessible SVG: a labelled group (its <title> and <desc>), not an
    image, since it holds links a keyboard reaches and a screen reader must hear; ids are
    derived from ``key`` so two pictures on one page do not share them."""
    u = esc(f"{kind}-{hashlib.blake2s(key.encode(), digest_size=5).hexdigest()}")
    return (
        f'<svg xmlns="{esc(SVG_NS)}" role="group" aria-labelledby="{u}-t {u}-d" '
        f'viewBox="0 0 {esc(n(size[0]))} {esc(n(size[1]))}" width="100%" '
        f'style="max-width:36rem;height:auto" font-family="{esc(FONT)}" font-size="12" '
        f'fill="#111"><title id="{u}-t">{esc(title)}</title><desc id="{u}-d">{esc(desc)}</desc>'
    )


@functools.lru_cache(maxsize=64)
def attributes(pairs: tuple[tuple[str, str], ...]) -> str:
    """` name="value"` for each pair, the name's "_" written "-" (``class_`` is class).
    Cached: the pictures pass only a few fixed sets, spelled in the code."""
    return "".join(f' {esc(k.rstrip("_").replace("_", "-"))}="{esc(v)}"' for k, v in pairs)


def text_lines(lines: Sequence[str], x: float, y: float, step: float, **attrs: str) -> str:
    """One <text> per line, baselines ``step`` apart from ``y``."""
    extra, left = attributes(tuple(attrs.items())), esc(n(x))
    return "".join(
        f'<text x="{left}" y="{esc(n(y + i * step))}"{extra}>{esc(line)}</text>'
        for i, line in enumerate(lines)
    )


def link(url: str | None, body: str, full_text: str | None = None) -> str:
    """``body`` inside an <a> to ``url`` when the URL is safe; ``full_text`` as its tooltip."""
    tip = f"<title>{esc(full_text)}</title>" if full_text else ""
    if url is None:
        return f"<g>{tip}{body}</g>"
    return f'<a href="{esc(url)}">{tip}{body}</a>'


def n(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zero."""
    return f"{round(x, 1):g}"


ROLE_WORDS = {
    "claimant": "claimed by",
    "relay": "relayed by",
    "publisher": "published in",
    "quoted": "quoted by",
}
COLUMNS, GAP, MARGIN, ROW_GAP = 3, 26.0, 8.0, 30.0
BOX = (WIDTH - 2 * MARGIN - (COLUMNS - 1) * GAP) / COLUMNS


def _role(attribution: Mapping[str, Any]) -> str:
    role = clean(attribution.get("role"))
    return ROLE_WORDS.get(role, role.replace("_", " "))


def _party(source: Mapping[str, Any]) -> str:
    party = clean(source.get("party_to_conflict"))
    return f"party to the conflict: {party}" if party else ""


def describe_chain(attributions: Sequence[Mapping[str, Any]]) -> str:
    """The chain in words: "Claimed by A (party to the conflict: RU), relayed by B, published
    in C." """
    links = sorted(attributions, key=lambda a: a.get("position", 0))
    if not links:
        return "No attribution recorded."
    words = []
    for a in links:
        source = a.get("source") or {}
        party = _party(source)
        words.append(f"{_role(a)} {display_name(source)}" + (f" ({party})" if party else ""))
    text = ", ".join(words)
    lead = "" if links[0].get("role") == "claimant" else "No claimant named; "
    return (lead + text[0].lower() + text[1:] if lead else text[0].upper() + text[1:]) + "."


def _box(attribution: Mapping[str, Any], base: str) -> tuple[str, float]:
    """A box's content drawn at (0, 0), and its height."""
    source = attribution.get("source") or {}
    name = display_name(source) or "unnamed source"
    lines, cut = wrap(name, int((BOX - 14) / 8.3), 10)
    kind = clean(source.get("kind")).replace("_", " ")
    party = _party(source)
    party_lines = wrap(party, int((BOX - 20) / 7.6), 3)[0] if party else []
    y = 16.0
    role = [_role(attribution).upper()]
    body = [
        text_lines(role, 8, y, 0, font_size="10", fill="#333", letter_spacing="0.5", class_="role"),
        text_lines(lines, 8, y + 17, 15.5, font_size="12", font_weight="600", class_="name"),
    ]
    y += 17 + 15.5 * len(lines)
    if kind:
        body.append(text_lines([kind], 8, y + 1, 0, font_size="11", fill="#333", class_="kind"))
        y += 15
    if party_lines:
        body.append(
            f'<rect x="8" y="{esc(round(y - 9))}" width="4" '
            f'height="{esc(14 * len(party_lines))}" fill="#000"/>'
        )
        body.append(
            text_lines(
                party_lines, 16, y + 3, 14, font_size="11", font_weight="700", class_="party"
            )
        )
        y += 14 * len(party_lines)
    slug = clean(source.get("slug"))
    url = safe_url(f"{base}v1/sources/{quote(slug, safe='')}") if slug else None
    full = display_name(source) + (f" ({party})" if party else "")
    return link(url, "".join(body), full if cut else None), y + 2


def _arrow(d: str, uid: str) -> str:
    return (
        f'<path class="arrow" d="{esc(d)}" fill="none" stroke="#000" stroke-width="1.5" '
        f'marker-end="url(#{esc(uid)}-a)"/>'
    )


def chain_diagram(
    attributions: Sequence[Mapping[str, Any]], *, title: str, base: str = "/"
) -> Markup:
    """The chain behind a figure as boxes joined by arrows, each box labelled with its role
    ("claimed by", "relayed by", "published in"), the source's name and kind, and the party
    flag when the source is a party to the conflict; each box links to ``{base}v1/sources/{slug}``
    (``base`` must be relative or http(s); otherwise the boxes carry no links)."""
    title = clean(title)
    base = safe_url(base) or ""
    base = base if not base or base.endswith("/") else base + "/"
    links = sorted(attributions, key=lambda a: a.get("position", 0))
    boxes = [_box(a, base) for a in links]
    desc = describe_chain(links)
    key = "|".join([title, base, desc])
    if not boxes:
        root = svg_root("chain", key, title, desc, (WIDTH, 40))
        return Markup(root + text_lines([desc], MARGIN, 24, 0) + "</svg>")
    out: list[str] = []
    y = MARGIN
    uid = "chain-" + hashlib.blake2s(key.encode(), digest_size=5).hexdigest()
    previous: tuple[float, float] | None = None  # the last box's x and bottom
    for start in range(0, len(boxes), COLUMNS):
        row = boxes[start : start + COLUMNS]
        height = max(h for _, h in row)
        for i, (body, _) in enumerate(row):
            x = MARGIN + i * (BOX + GAP)
            role = clean(links[start + i].get("role"))
            out.append(
                f'<g class="box" data-role="{esc(role)}" '
                f'transform="translate({esc(round(x, 1))} {esc(round(y, 1))})">'
                f'<rect width="{esc(round(BOX, 1))}" height="{esc(round(height, 1))}" rx="4" '
                f'fill="#fff" stroke="#000" stroke-width="1.5"/>{body}</g>'
            )
            if previous is not None:
                px, pbottom = previous
                if i:  # beside the previous box
                    d = f"M{px + BOX:.1f} {y + height / 2:.1f}H{x - 3:.1f}"
                else:  # from the end of the row above down to the start of this one
                    mid = pbottom + ROW_GAP / 2
                    d = f"M{px + BOX / 2:.1f} {pbottom:.1f}V{mid:.1f}H{x + BOX / 2:.1f}V{y - 3:.1f}"
                out.append(_arrow(d, uid))
            previous = (x, y + height)
        y += height + ROW_GAP
    defs = (
        f'<defs><marker id="{esc(uid)}-a" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10Z" fill="#000"/></marker></defs>'
    )
    size = (WIDTH, y - ROW_GAP + MARGIN)
    return Markup("".join([svg_root("chain", key, title, desc, size), defs, *out, "</svg>"]))

"""The competing estimates chart: every claim about one measure on one axis, as inline SVG.

The input is the figures' public JSON, as ``GET /v1/figures`` returns it. Every text in it is
user-editable, so every text and attribute is escaped (``esc`` does it, "=" included),
characters XML forbids are dropped, and a link is drawn only to an http(s) or relative URL.
The SVG is built as plain ``str`` parts and wrapped in ``Markup`` once, for speed (why it is
as safe: ``chain``).
With no figures the chart is an SVG that says "No figures yet". ``chain_diagram`` (the
attribution chain, in ``chain``) is re-exported here, so a page imports both from one place.
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

from markupsafe import Markup

from app.web.chain import (
    WIDTH,
    chain_diagram,
    clean,
    display_name,
    esc,
    link,
    safe_url,
    svg_root,
    text_lines,
    wrap,
)
from app.web.chain import n as _n

__all__ = ["EstimateRow", "chain_diagram", "estimates_chart", "estimates_table_rows"]

X0, X1 = 28.0, WIDTH - 28.0  # the plot's left and right edge; arrows and tick labels go past

# Claimant's side: (colour, tag on the row, legend text). Each colour is at least 3:1 on white.
SIDES: dict[str, tuple[str, str, str]] = {
    "RU": ("#c4420a", "RU", "RU: claimant is party RU"),
    "UA": ("#0063a6", "UA", "UA: claimant is party UA"),
    "independent": ("#087a5b", "independent", "independent: not a party"),
    "none": ("#595959", "", "no claimant named"),
}
OTHER_PARTY = "#000000"  # a party other than RU or UA: black, tagged with its code


def _number(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def format_number(value: float, unit: str | None = None, *, compact: bool = False) -> str:
    """1,000 / 50,000 / 1.5; with ``compact`` a million and more as 1M, 2.5M, 3B; percent as %."""
    value = round(value, 9) + 0.0  # no -0 and no 0.30000000000000004
    big = abs(value)
    if compact and big >= 1e9:
        text = f"{value / 1e9:,.3g}B"
    elif compact and big >= 1e6:
        text = f"{value / 1e6:,.3g}M"
    elif value == int(value):
        text = f"{int(value):,}"
    else:
        text = f"{value:,.6g}"
    return f"{text}%" if unit == "percent" else text


def period_words(period: object) -> str:
    """An EDTF interval in words: "/2024" is "to 2024", "2022-02/" "from 2022-02"."""
    text = clean(period).strip()
    if "/" not in text:
        return text
    start, _, end = text.partition("/")
    start, end = start.strip(". "), end.strip(". ")
    if start and end:
        return f"{start} – {end}"
    return f"to {end}" if end else (f"from {start}" if start else "")


class EstimateRow(TypedDict):
    """One claim, as the chart draws it and the table beside it lists it."""

    slug: str
    url: str | None
    claimant: str
    side: str  # RU, UA, independent, none, or another party's code
    side_label: str
    stated_as: str
    unit: str
    value: float | None
    lower: float | None
    upper: float | None
    value_text: str
    lower_text: str
    upper_text: str
    period: str
    status: str
    retracted: bool


def _row(figure: Mapping[str, Any]) -> EstimateRow:
    attributions = sorted(figure.get("attributions") or [], key=lambda a: a.get("position", 0))
    claimant = next((a.get("source") for a in attributions if a.get("role") == "claimant"), None)
    party = clean(claimant.get("party_to_conflict")) if claimant else ""
    side = "none" if claimant is None else (party or "independent")
    value, lower, upper = (_number(figure.get(k)) for k in ("value", "lower_bound", "upper_bound"))
    qualifier = figure.get("qualifier")
    if qualifier in ("at_least", "more_than") and lower is None and upper is None:
        lower = value
    if qualifier in ("at_most", "fewer_than", "up_to") and upper is None and lower is None:
        upper = value
    unit = clean(figure.get("unit"))
    status = clean(figure.get("status"))

    def text(x: float | None) -> str:
        return "" if x is None else format_number(x, unit)

    return EstimateRow(
        slug=clean(figure.get("slug")),
        url=safe_url(figure.get("url")),
        claimant=display_name(claimant) if claimant else "no claimant named",
        side=side,
        side_label=SIDES[side][2] if side in SIDES else f"party {side}",
        stated_as=clean(figure.get("stated_as")),
        unit=unit,
        value=value,
        lower=lower,
        upper=upper,
        value_text=text(value),
        lower_text=text(lower),
        upper_text=text(upper),
        period=period_words(figure.get("period")),
        status=status,
        retracted=status == "retracted",
    )


def estimates_table_rows(figures: Sequence[Mapping[str, Any]]) -> list[EstimateRow]:
    """The chart's data, row for row in the chart's order (grouped by unit, in the figures'
    order within a unit), for the accessible table beside it."""
    rows = [_row(f) for f in figures]
    units = list(dict.fromkeys(r["unit"] for r in rows))
    return [r for unit in units for r in rows if r["unit"] == unit]


class Scale:
    """Value to x on [X0, X1]: linear, or log when the positive numbers span over 100 times."""

    def __init__(self, rows: Sequence[EstimateRow]) -> None:
        numbers = [x for r in rows for x in (r["value"], r["lower"], r["upper"]) if x is not None]
        open_right = [r["lower"] for r in rows if r["lower"] is not None and r["upper"] is None]
        open_left = [r["upper"] for r in rows if r["upper"] is not None and r["lower"] is None]
        numbers = numbers or [0.0]
        lo, hi = min(numbers), max(numbers)
        self.log = lo > 0 and hi / lo > 100
        if self.log:
            bottom, top = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
            if open_right and math.log10(max(open_right)) > top - 0.3:
                top += 1
            if open_left and math.log10(min(open_left)) < bottom + 0.3:
                bottom -= 1
            top = max(top, bottom + 1)
            every = max(1, math.ceil((top - bottom) / 6))
            self.ticks = [10.0**e for e in range(bottom, top + 1, every)]
            self.lo, self.hi = math.log10(10.0**bottom), math.log10(10.0**top)
            return
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        span = (hi - lo) or 1.0
        if open_right and max(open_right) > hi - 0.15 * span:
            hi += 0.25 * span
        if open_left and min(open_left) < lo + 0.15 * span:
            lo -= 0.25 * span
        hi = hi if hi > lo else lo + 1
        raw = (hi - lo) / 4
        power = 10 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        self.ticks = [i * step for i in range(first, last + 1)]
        self.lo, self.hi = first * step, last * step

    def x(self, value: float) -> float:
        v = math.log10(value) if self.log else value
        return X0 + (X1 - X0) * (v - self.lo) / (self.hi - self.lo)


def _bar(row: EstimateRow, scale: Scale, y: float, colour: str, thick: float) -> str:
    lower, upper = row["lower"], row["upper"]
    if lower is None and upper is None:
        return ""
    start = X0 if lower is None else scale.x(lower)
    end = X1 if upper is None else scale.x(upper)
    opened = "right" if upper is None else ("left" if lower is None else "none")
    dash = ' stroke-dasharray="5 3"' if row["retracted"] else ""
    at, fill = esc(_n(y)), esc(colour)
    out = (
        f'<line class="bar" data-open="{esc(opened)}" x1="{esc(_n(start))}" y1="{at}" '
        f'x2="{esc(_n(end))}" y2="{at}" stroke="{fill}" stroke-width="{esc(_n(thick))}"{dash}/>'
    )
    if opened != "none":
        tip, back = (X1 + 9, X1) if opened == "right" else (X0 - 9, X0)
        out += (
            f'<path class="arrow" d="M{esc(_n(back))} {esc(_n(y - 6))}L{esc(_n(tip))} {at}'
            f'L{esc(_n(back))} {esc(_n(y + 6))}Z" fill="{fill}"/>'
        )
    return out


def _colour(side: str) -> str:
    return SIDES[side][0] if side in SIDES else OTHER_PARTY


def _tag(row: EstimateRow) -> str:
    return SIDES[row["side"]][1] if row["side"] in SIDES else f"party {row['side']}"


def _legend_key(i: int, label: str, y: float) -> str:
    """The legend's ``i``th mark (a value, a range, an open range, a retracted range)."""
    x, cy = 232.0, y + i * 18 + 6
    at = esc(_n(cy))
    if i == 0:
        mark = f'<circle cx="{esc(x + 8)}" cy="{at}" r="5" fill="#444" stroke="#000"/>'
    else:
        dash = ' stroke-dasharray="5 3"' if i == 3 else ""
        mark = (
            f'<line x1="{esc(x)}" y1="{at}" x2="{esc(x + (14 if i == 2 else 20))}" y2="{at}" '
            f'stroke="#444" stroke-width="5"{dash}/>'
        )
        if i == 2:
            mark += (
                f'<path d="M{esc(x + 14)} {esc(_n(cy - 5))}L{esc(x + 21)} {at}'
                f'L{esc(x + 14)} {esc(_n(cy + 5))}Z" fill="#444"/>'
            )
    return mark + text_lines([label], x + 28, cy + 4.5, 0)


def _legend(rows: Sequence[EstimateRow], y: float) -> tuple[str, float]:
    sides = [(c, label) for key, (c, _, label) in SIDES.items()]
    sides += [
        (OTHER_PARTY, f"party {s}")
        for s in dict.fromkeys(r["side"] for r in rows)
        if s not in SIDES
    ]
    out = ['<g class="legend" font-size="11.5">']
    for i, (colour, label) in enumerate(sides):
        out.append(
            f'<rect x="12" y="{esc(_n(y + i * 18))}" width="12" height="12" fill="{esc(colour)}"/>'
        )
        out.append(text_lines([label], 30, y + i * 18 + 10.5, 0))
    keys = ["a value", "a range", "no upper bound: and more", "retracted (dashed, hollow)"]
    out += [_legend_key(i, label, y) for i, label in enumerate(keys)]
    out.append("</g>")
    return "".join(out), y + max(len(sides), len(keys)) * 18 + 6


def _axis(scale: Scale, unit: str, y: float) -> str:
    at = esc(_n(y))
    return "".join(
        f'<text x="{esc(_n(scale.x(t)))}" y="{at}" text-anchor="middle" font-size="11" '
        f'fill="#333">{esc(format_number(t, unit, compact=True))}</text>'
        for t in scale.ticks
    )


def _grid(scale: Scale, top: float, bottom: float) -> str:
    y1, y2 = esc(_n(top)), esc(_n(bottom))
    lines = "".join(
        f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="#c8c8c8" stroke-width="1"/>'
        for x in (esc(_n(scale.x(t))) for t in scale.ticks)
    )
    return f'<g class="grid">{lines}</g>'


def _claim(row: EstimateRow, scale: Scale, highlight: str | None, y: float) -> tuple[str, float]:
    """One row of a panel, from ``y`` down, and its height."""
    name, cut_name = wrap(row["claimant"], 52, 2)
    meta = [_tag(row), f"“{row['stated_as']}”" if row["stated_as"] else "", row["period"]]
    meta += [
        "retracted" if row["retracted"] else "",
        "this figure" if row["slug"] == highlight else "",
    ]
    meta_lines, cut_meta = wrap(" · ".join(m for m in meta if m), 62, 2)
    height = 16 * len(name) + 15 * len(meta_lines) + 30
    colour, mark = _colour(row["side"]), row["slug"] == highlight and highlight is not None
    out = [f'<g class="row" data-slug="{esc(row["slug"])}" data-y="{esc(_n(y))}">']
    if mark:
        top, tall = esc(_n(y - 4)), esc(_n(height - 2))
        out.append(
            f'<rect class="highlight" x="4" y="{top}" width="{esc(WIDTH - 8)}" height="{tall}" '
            f'fill="#fff4c4" stroke="#000" stroke-width="0" />'
            f'<rect x="4" y="{top}" width="3" height="{tall}" fill="#000"/>'
        )
    label = text_lines(
        name,
        12,
        y + 12,
        16,
        class_="name",
        font_size="13",
        font_weight="700" if mark else "600",
        text_decoration="underline" if row["url"] else "none",
    )
    label += text_lines(meta_lines, 12, y + 12 + 16 * len(name), 15, class_="meta", fill="#333")
    halo = esc("#fff4c4" if mark else "#fff")
    label = (
        f'<g stroke="{halo}" stroke-width="3" paint-order="stroke" stroke-linejoin="round">'
        f"{label}</g>"
    )
    full = f"{row['claimant']}: {row['stated_as']}" if cut_name or cut_meta else None
    out.append(link(row["url"], label, full))
    track = y + 16 * len(name) + 15 * len(meta_lines) + 8
    out.append(_bar(row, scale, track, colour, 8 if mark else 6))
    if row["value"] is not None:
        fill = "#fff" if row["retracted"] else colour
        out.append(
            f'<circle class="point" cx="{esc(_n(scale.x(row["value"])))}" cy="{esc(_n(track))}" '
            f'r="{esc(7 if mark else 5.5)}" fill="{esc(fill)}" '
            f'stroke="{esc(colour if row["retracted"] else "#000")}" stroke-width="1.5"/>'
        )
    out.append("</g>")
    return "".join(out), height


def _panel(rows: Sequence[EstimateRow], highlight: str | None, y: float) -> tuple[str, float]:
    unit, scale = rows[0]["unit"], Scale(rows)
    heading = (
        f"{unit or 'no unit'} · {'log scale (each step ×10)' if scale.log else 'linear scale'}"
    )
    kind = "log" if scale.log else "linear"
    out = [
        f'<g class="panel" data-unit="{esc(unit)}" data-scale="{esc(kind)}">',
        text_lines([heading], 12, y + 12, 0, font_weight="600"),
        _axis(scale, unit, y + 30),
    ]
    top, y = y + 36, y + 42
    body = []
    for row in rows:
        claim, height = _claim(row, scale, highlight, y)
        body.append(claim)
        y += height
    out.append(_grid(scale, top, y - 10))
    out += body
    if len(rows) > 6:
        out.append(_axis(scale, unit, y + 2))
        y += 12
    out.append("</g>")
    return "".join(out), y + 6


def _describe(title: str, rows: Sequence[EstimateRow]) -> str:
    said = [
        f"{r['claimant']} ({_tag(r) or 'no claimant named'}): {r['stated_as'] or r['value_text']}"
        + (f", {r['period']}" if r["period"] else "")
        + (", retracted" if r["retracted"] else "")
        for r in rows[:20]
    ]
    more = f"; and {len(rows) - 20} more, listed in the table" if len(rows) > 20 else ""
    return f"{title}: {len(rows)} competing estimate(s). " + "; ".join(said) + more + "."


def estimates_chart(
    figures: Sequence[Mapping[str, Any]], *, title: str, highlight: str | None = None
) -> Markup:
    """The competing estimates of one measure: a row per claim, its value a point and its
    bounds a bar (an arrow where a bound is open), coloured and tagged by the claimant's side.
    With no figures, an SVG that says "No figures yet"."""
    title = clean(title)
    rows = estimates_table_rows(figures)
    key = "|".join([title, highlight or "", *(r["slug"] for r in rows)])
    heading, _ = wrap(title, 46, 3)
    if not rows:
        head = svg_root("estimates", key, title, "No figures yet.", (WIDTH, 64))
        return Markup(head + text_lines([*heading[:1], "No figures yet"], 12, 22, 24) + "</svg>")
    out = [text_lines(heading, 12, 22, 19, font_size="15", font_weight="700")]
    legend, y = _legend(rows, 22 + 19 * len(heading) - 6)
    out.append(legend)
    for unit in dict.fromkeys(r["unit"] for r in rows):
        panel, y = _panel([r for r in rows if r["unit"] == unit], highlight, y + 8)
        out.append(panel)
    head = svg_root("estimates", key, title, _describe(title, rows), (WIDTH, y + 8))
    return Markup("".join([head, *out, "</svg>"]))

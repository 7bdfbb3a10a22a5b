"""The reader pages' SVG: the competing estimates chart and the attribution chain.

Pure functions over the figures' public JSON, so no database: the first fixtures are real
records of the seed dataset, copied from ``GET /v1/figures`` (trimmed to the keys the pictures
read); the synthetic ones, built by ``figure()``, cover the edge cases the seed lacks.
"""

import hashlib
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from app.web import chain as chain_module
from app.web import charts as charts_module
from app.web.chain import describe_chain, safe_url
from app.web.charts import (
    SIDES,
    X0,
    X1,
    Scale,
    chain_diagram,
    estimates_chart,
    estimates_table_rows,
    format_number,
)

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "]]>", "a\x00\x1bb"]

DESERTERS_50000: dict[str, Any] = {
    "slug": "deserters-since-invasion",
    "url": "http://testserver/v1/figures/deserters-since-invasion",
    "measure": "deserters",
    "value": 50000,
    "lower_bound": 50000,
    "upper_bound": None,
    "qualifier": "at_least",
    "stated_as": "at least 50,000",
    "unit": "persons",
    "period": "/2024",
    "status": "published",
    "attributions": [
        {
            "position": 0,
            "role": "claimant",
            "quote": None,
            "source": {
                "slug": "ru-mod-leaked-reports-2024",
                "name": "leaked 2024 reports from Russia’s Ministry of Defence",
                "kind": "document",
                "party_to_conflict": "RU",
                "parent": "Russia’s Ministry of Defence",
                "short_name": None,
            },
        },
        {
            "position": 1,
            "role": "relay",
            "quote": None,
            "source": {
                "slug": "rfe-rl",
                "name": "RadioFreeEurope/RadioLiberty",
                "kind": "news_service",
                "party_to_conflict": None,
                "parent": None,
                "short_name": "RFE/RL",
            },
        },
        {
            "position": 2,
            "role": "publisher",
            "quote": "According to the leaked 2024 reports from Russia’s Ministry of "
            "Defence, at least 50,000 service members have deserted since the "
            "invasion began.",
            "source": {
                "slug": "article-50000-deserters",
                "name": "50,000 deserters: Putin’s army using Stalin’s methods "
                "to keep troops from fleeing the battlefield",
                "kind": "document",
                "party_to_conflict": None,
                "parent": None,
                "short_name": None,
            },
        },
    ],
}

DESERTERS_THOUSANDS: dict[str, Any] = {
    "slug": "soldiers-fleeing-thousands",
    "url": "http://testserver/v1/figures/soldiers-fleeing-thousands",
    "measure": "deserters",
    "value": None,
    "lower_bound": 1000,
    "upper_bound": None,
    "qualifier": "order_of_magnitude",
    "stated_as": "thousands",
    "unit": "persons",
    "period": None,
    "status": "published",
    "attributions": [
        {
            "position": 0,
            "role": "claimant",
            "quote": "The material, reported by RFE/RL, offers a glimpse into the "
            "pressures driving thousands of soldiers to flee the front.",
            "source": {
                "slug": "article-50000-deserters",
                "name": "50,000 deserters: Putin’s army using Stalin’s methods "
                "to keep troops from fleeing the battlefield",
                "kind": "document",
                "party_to_conflict": None,
                "parent": None,
                "short_name": None,
            },
        }
    ],
}

KILLED_OR_WOUNDED: dict[str, Any] = {
    "slug": "russian-killed-or-wounded-ua-mod",
    "url": "http://testserver/v1/figures/russian-killed-or-wounded-ua-mod",
    "measure": "killed_or_wounded",
    "value": 1000000,
    "lower_bound": 1000000,
    "upper_bound": None,
    "qualifier": "more_than",
    "stated_as": "more than a million",
    "unit": "persons",
    "period": None,
    "status": "published",
    "attributions": [
        {
            "position": 0,
            "role": "claimant",
            "quote": None,
            "source": {
                "slug": "ua-mod",
                "name": "Ministry of Defense of Ukraine",
                "kind": "government_body",
                "party_to_conflict": "UA",
                "parent": None,
                "short_name": None,
            },
        },
        {
            "position": 1,
            "role": "publisher",
            "quote": "Numbers from the Ministry of Defense of Ukraine say more than a "
            "million Russian personnel have been killed or wounded",
            "source": {
                "slug": "article-50000-deserters",
                "name": "50,000 deserters: Putin’s army using Stalin’s methods "
                "to keep troops from fleeing the battlefield",
                "kind": "document",
                "party_to_conflict": None,
                "parent": None,
                "short_name": None,
            },
        },
    ],
}

SHARE_SENTENCED: dict[str, Any] = {
    "slug": "share-sentenced-to-death-1941",
    "url": "http://testserver/v1/figures/share-sentenced-to-death-1941",
    "measure": "share_sentenced_to_death",
    "value": 1.5,
    "lower_bound": None,
    "upper_bound": None,
    "qualifier": "exact",
    "stated_as": "1.5 % of the total",
    "unit": "percent",
    "period": "/1941-12",
    "status": "published",
    "attributions": [
        {
            "position": 0,
            "role": "claimant",
            "quote": None,
            "source": {
                "slug": "letter-to-beria-1941-10",
                "name": "the official letter to Lavrentiy Beria of October 1941",
                "kind": "document",
                "party_to_conflict": None,
                "parent": None,
                "short_name": None,
            },
        },
        {
            "position": 1,
            "role": "relay",
            "quote": None,
            "source": {
                "slug": "electronic-library-historical-documents",
                "name": "Electronic Library of Historical Documents",
                "kind": "archive",
                "party_to_conflict": None,
                "parent": None,
                "short_name": None,
            },
        },
        {
            "position": 2,
            "role": "publisher",
            "quote": "10.201 troops (1.5 % of the total) captured by barrier troops "
            "was sentenced to death",
            "source": {
                "slug": "article-50000-deserters",
                "name": "50,000 deserters: Putin’s army using Stalin’s methods "
                "to keep troops from fleeing the battlefield",
                "kind": "document",
                "party_to_conflict": None,
                "parent": None,
                "short_name": None,
            },
        },
    ],
}


def figure(
    slug: str,
    value: float | None,
    lower: float | None = None,
    upper: float | None = None,
    *,
    qualifier: str = "exact",
    side: str | None = "independent",
    unit: str = "persons",
    status: str = "published",
    stated_as: str | None = None,
) -> dict[str, Any]:
    """A synthetic figure; ``side`` None means no claimant named."""
    attributions = []
    if side is not None:
        party = None if side == "independent" else side
        source = {
            "slug": f"src-{slug}",
            "name": f"Source {slug}",
            "kind": "ngo",
            "party_to_conflict": party,
            "parent": None,
            "short_name": None,
        }
        attributions.append({"position": 0, "role": "claimant", "quote": None, "source": source})
    return {
        "slug": slug,
        "url": f"/v1/figures/{slug}",
        "measure": "m",
        "value": value,
        "lower_bound": lower,
        "upper_bound": upper,
        "qualifier": qualifier,
        "stated_as": stated_as if stated_as is not None else f"stated {slug}",
        "unit": unit,
        "period": None,
        "status": status,
        "attributions": attributions,
    }


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "group"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 ")
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    assert title is not None
    assert desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def rows(root: ET.Element) -> list[ET.Element]:
    return root.findall(".//s:g[@class='row']", NS)


def names(root: ET.Element) -> list[str]:
    return [
        " ".join(t.text or "" for t in r.iterfind(".//s:text[@class='name']", NS))
        for r in rows(root)
    ]


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


# The estimates chart ---------------------------------------------------------------------


def test_deserters_chart_draws_the_two_seed_claims() -> None:
    root = parse(estimates_chart([DESERTERS_50000, DESERTERS_THOUSANDS], title="Deserters"))
    assert [r.get("data-slug") for r in rows(root)] == [
        "deserters-since-invasion",
        "soldiers-fleeing-thousands",
    ]
    assert names(root) == [
        "leaked 2024 reports from Russia’s Ministry of Defence",
        "50,000 deserters: Putin’s army using Stalin’s methods to keep troops from fleeing the battlefield",
    ]
    metas = [[t.text for t in r.iterfind(".//s:text[@class='meta']", NS)] for r in rows(root)]
    assert metas == [["RU · “at least 50,000” · to 2024"], ["independent · “thousands”"]]
    panel = root.find(".//s:g[@class='panel']", NS)
    assert panel is not None
    assert panel.get("data-scale") == "linear"
    assert len(root.findall(".//s:circle[@class='point']", NS)) == 1  # "thousands" has no value
    assert len(root.findall(".//s:line[@class='bar']", NS)) == 2
    links = [a.get("href") for a in root.iterfind(".//s:a", NS)]
    assert links == [DESERTERS_50000["url"], DESERTERS_THOUSANDS["url"]]


def test_at_least_bar_starts_at_its_lower_bound_and_is_open_to_the_right() -> None:
    figures = [DESERTERS_50000, DESERTERS_THOUSANDS]
    scale = Scale(estimates_table_rows(figures))
    root = parse(estimates_chart(figures, title="Deserters"))
    first, second = rows(root)
    bar = first.find("s:line[@class='bar']", NS)
    assert bar is not None
    assert bar.get("data-open") == "right"
    assert float(bar.get("x1", "")) == pytest.approx(scale.x(50_000), abs=0.06)
    assert float(bar.get("x2", "")) == X1
    assert first.find("s:path[@class='arrow']", NS) is not None
    point = first.find("s:circle[@class='point']", NS)
    assert point is not None
    assert float(point.get("cx", "")) == pytest.approx(scale.x(50_000), abs=0.06)
    # "thousands": order of magnitude, lower bound 1,000 only: a bar from 1,000, no point
    bar = second.find("s:line[@class='bar']", NS)
    assert bar is not None
    assert bar.get("data-open") == "right"
    assert float(bar.get("x1", "")) == pytest.approx(scale.x(1_000), abs=0.06)
    assert second.find("s:circle", NS) is None
    # the open bar's start is inside the plot, not at its edge
    assert scale.x(50_000) < X1 - 40


def test_ticks_are_human_readable() -> None:
    root = parse(estimates_chart([DESERTERS_50000, DESERTERS_THOUSANDS], title="Deserters"))
    ticks = [t.text for t in root.iterfind(".//s:text[@text-anchor='middle']", NS)]
    assert ticks == ["0", "20,000", "40,000", "60,000", "80,000"]


def test_log_scale_when_the_numbers_span_over_two_orders_of_magnitude() -> None:
    figures = [DESERTERS_THOUSANDS, KILLED_OR_WOUNDED]  # 1,000 and more than a million
    root = parse(estimates_chart(figures, title="Mixed"))
    panel = root.find(".//s:g[@class='panel']", NS)
    assert panel is not None
    assert panel.get("data-scale") == "log"
    assert "log scale" in ET.tostring(panel, encoding="unicode")
    ticks = [t.text for t in root.iterfind(".//s:text[@text-anchor='middle']", NS)]
    assert ticks == ["1,000", "10,000", "100,000", "1M", "10M"]
    linear = [figure("a", 100), figure("b", 10_000)]  # exactly 100 times: still linear
    assert Scale(estimates_table_rows(linear)).log is False
    assert Scale(estimates_table_rows([figure("a", 99), figure("b", 10_000)])).log is True


def test_percent_figures_are_formatted_with_percent() -> None:
    figures = [SHARE_SENTENCED, figure("p", None, 1, 3, qualifier="range", unit="percent")]
    root = parse(estimates_chart(figures, title="Share"))
    ticks = [t.text for t in root.iterfind(".//s:text[@text-anchor='middle']", NS)]
    assert ticks == ["0%", "1%", "2%", "3%"]
    table = estimates_table_rows(figures)
    assert [r["value_text"] for r in table] == ["1.5%", ""]
    assert (table[1]["lower_text"], table[1]["upper_text"]) == ("1%", "3%")
    bar = rows(root)[1].find("s:line[@class='bar']", NS)
    assert bar is not None
    assert bar.get("data-open") == "none"


def test_format_number() -> None:
    assert format_number(1000) == "1,000"
    assert format_number(50_000) == "50,000"
    assert format_number(1_000_000, compact=True) == "1M"
    assert format_number(2_500_000, compact=True) == "2.5M"
    assert format_number(1_000_000) == "1,000,000"
    assert format_number(1.5, "percent") == "1.5%"
    assert format_number(0.1 + 0.2) == "0.3"
    assert format_number(-0.0) == "0"


def test_zero_negative_and_open_left_bounds() -> None:
    figures = [
        figure("neg", -50),
        figure("zero", 0),
        figure("atmost", None, None, 30, qualifier="at_most"),
        figure("fewer", 20, qualifier="fewer_than"),  # the value stands for the upper bound
    ]
    table = estimates_table_rows(figures)
    scale = Scale(table)
    assert scale.log is False
    assert scale.lo <= -50
    assert scale.hi >= 30
    root = parse(estimates_chart(figures, title="Signs"))
    points = [float(c.get("cx", "")) for c in root.iterfind(".//s:circle[@class='point']", NS)]
    assert points == pytest.approx([scale.x(-50), scale.x(0), scale.x(20)], abs=0.06)
    bars = root.findall(".//s:line[@class='bar']", NS)
    assert [b.get("data-open") for b in bars] == ["left", "left"]
    assert float(bars[0].get("x1", "")) == X0
    assert float(bars[0].get("x2", "")) == pytest.approx(scale.x(30), abs=0.06)
    assert table[3]["upper"] == 20


def test_exact_value_is_a_point_only_and_single_figure_draws() -> None:
    root = parse(estimates_chart([figure("one", 42)], title="One"))
    assert len(rows(root)) == 1
    assert len(root.findall(".//s:circle[@class='point']", NS)) == 1
    assert root.findall(".//s:line[@class='bar']", NS) == []


def test_empty_list_says_no_figures_yet() -> None:
    root = parse(estimates_chart([], title="Nothing"))
    assert rows(root) == []
    assert "No figures yet" in [t.text for t in root.iterfind(".//s:text", NS)]


def test_sides_colours_tags_and_legend() -> None:
    figures = [
        figure("r", 1, side="RU"),
        figure("u", 2, side="UA"),
        figure("i", 3),
        figure("n", 4, side=None),
    ]
    table = estimates_table_rows(figures)
    assert [r["side"] for r in table] == ["RU", "UA", "independent", "none"]
    assert table[3]["claimant"] == "no claimant named"
    root = parse(estimates_chart(figures, title="Sides"))
    fills = [c.get("fill") for c in root.iterfind(".//s:circle[@class='point']", NS)]
    assert fills == [SIDES[s][0] for s in ("RU", "UA", "independent", "none")]
    assert len(set(fills)) == 4
    for colour in fills:  # WCAG AA for graphics: 3:1 on white
        assert (1.05) / (luminance(colour or "") + 0.05) >= 3
    metas = [r.find(".//s:text[@class='meta']", NS) for r in rows(root)]
    assert [m.text.split(" · ")[0] for m in metas if m is not None and m.text] == [
        "RU",
        "UA",
        "independent",
        "“stated n”",
    ]
    legend = root.find(".//s:g[@class='legend']", NS)
    assert legend is not None
    texts = [t.text for t in legend.iterfind("s:text", NS)]
    assert texts[:4] == [SIDES[s][2] for s in ("RU", "UA", "independent", "none")]


def test_retracted_is_hollow_dashed_and_labelled() -> None:
    figures = [figure("gone", 10, 5, 20, qualifier="range", status="retracted")]
    root = parse(estimates_chart(figures, title="Retracted"))
    point = root.find(".//s:circle[@class='point']", NS)
    bar = root.find(".//s:line[@class='bar']", NS)
    assert point is not None
    assert point.get("fill") == "#fff"
    assert bar is not None
    assert bar.get("stroke-dasharray")
    meta = root.find(".//s:text[@class='meta']", NS)
    assert meta is not None
    assert (meta.text or "").endswith("· retracted")


def test_highlight_marks_one_row() -> None:
    figures = [DESERTERS_50000, DESERTERS_THOUSANDS]
    root = parse(estimates_chart(figures, title="D", highlight="soldiers-fleeing-thousands"))
    marked = [
        r.get("data-slug")
        for r in rows(root)
        if r.find("s:rect[@class='highlight']", NS) is not None
    ]
    assert marked == ["soldiers-fleeing-thousands"]
    meta = rows(root)[1].find(".//s:text[@class='meta']", NS)
    assert meta is not None
    assert "this figure" in (meta.text or "")


def test_mixed_units_are_drawn_as_separate_panels() -> None:
    figures = [figure("a", 10), figure("b", 2, unit="percent"), figure("c", 20)]
    root = parse(estimates_chart(figures, title="Mixed"))
    panels = root.findall(".//s:g[@class='panel']", NS)
    assert [p.get("data-unit") for p in panels] == ["persons", "percent"]
    assert [r.get("data-slug") for r in rows(root)] == ["a", "c", "b"]
    assert [r["slug"] for r in estimates_table_rows(figures)] == ["a", "c", "b"]


def test_two_hundred_claims() -> None:
    figures = [
        figure(f"f{i}", 1000 + 37 * i, side=[None, "RU", "UA", "independent"][i % 4])
        for i in range(200)
    ]
    svg = estimates_chart(figures, title="Many")
    assert len(svg.encode()) < 150_000
    root = parse(svg)
    drawn = rows(root)
    assert len(drawn) == 200
    ys = [float(r.get("data-y", "")) for r in drawn]
    assert ys == sorted(ys)
    assert len(set(ys)) == 200
    assert min(b - a for a, b in itertools.pairwise(ys)) >= 40  # no two rows overlap
    height = float(root.get("viewBox", "").split()[3])
    assert height > ys[-1] + 40


def test_long_claimant_names_are_wrapped_and_cut_with_the_full_text_as_tooltip() -> None:
    fig = figure("long", 5)
    fig["attributions"][0]["source"]["name"] = "word " * 60
    root = parse(estimates_chart([fig], title="Long"))
    row = rows(root)[0]
    assert len(row.findall(".//s:text[@class='name']", NS)) == 2
    tip = row.find("s:a/s:title", NS)
    assert tip is not None
    assert (tip.text or "").startswith("word word")


# The table rows ----------------------------------------------------------------------------


def test_table_rows_carry_the_charts_data() -> None:
    table = estimates_table_rows([DESERTERS_50000, DESERTERS_THOUSANDS])
    first = table[0]
    assert (first["claimant"], first["side"], first["stated_as"]) == (
        "leaked 2024 reports from Russia’s Ministry of Defence",
        "RU",
        "at least 50,000",
    )
    assert (first["value_text"], first["lower_text"], first["upper_text"]) == (
        "50,000",
        "50,000",
        "",
    )
    assert (first["period"], first["status"], first["url"]) == (
        "to 2024",
        "published",
        DESERTERS_50000["url"],
    )
    assert (table[1]["value"], table[1]["lower"], table[1]["period"]) == (None, 1000.0, "")


# The attribution chain ---------------------------------------------------------------------


def test_chain_of_the_50000_figure() -> None:
    root = parse(chain_diagram(DESERTERS_50000["attributions"], title="Who says so"))
    boxes = root.findall(".//s:g[@class='box']", NS)
    assert [b.get("data-role") for b in boxes] == ["claimant", "relay", "publisher"]
    roles = [b.find(".//s:text[@class='role']", NS) for b in boxes]
    assert [r.text for r in roles if r is not None] == ["CLAIMED BY", "RELAYED BY", "PUBLISHED IN"]
    kinds = [b.find(".//s:text[@class='kind']", NS) for b in boxes]
    assert [k.text for k in kinds if k is not None] == ["document", "news service", "document"]
    parties = [
        " ".join(t.text or "" for t in b.iterfind(".//s:text[@class='party']", NS)) for b in boxes
    ]
    assert parties == ["party to the conflict: RU", "", ""]
    name = " ".join(t.text or "" for t in boxes[1].iterfind(".//s:text[@class='name']", NS))
    assert name == "RFE/RL"
    hrefs = [a.get("href") for a in root.iterfind(".//s:a", NS)]
    assert hrefs == [
        "/v1/sources/ru-mod-leaked-reports-2024",
        "/v1/sources/rfe-rl",
        "/v1/sources/article-50000-deserters",
    ]
    assert len(root.findall(".//s:path[@class='arrow']", NS)) == 2
    desc = root.find("s:desc", NS)
    assert desc is not None
    assert desc.text == (
        "Claimed by leaked 2024 reports from Russia’s Ministry of Defence (party to the conflict: "
        "RU), relayed by RFE/RL, published in 50,000 deserters: Putin’s army using Stalin’s "
        "methods to keep troops from fleeing the battlefield."
    )


def test_chain_without_claimant_and_with_a_base() -> None:
    chain = [a for a in DESERTERS_50000["attributions"] if a["role"] != "claimant"]
    assert describe_chain(chain).startswith("No claimant named; relayed by RFE/RL, published in")
    root = parse(chain_diagram(chain, title="t", base="https://example.org/app"))
    hrefs = [a.get("href") for a in root.iterfind(".//s:a", NS)]
    assert hrefs[0] == "https://example.org/app/v1/sources/rfe-rl"
    root = parse(chain_diagram([], title="t"))
    assert root.findall(".//s:g[@class='box']", NS) == []


def test_long_chains_wrap_onto_rows_inside_the_view_box() -> None:
    chain = [
        {
            "position": i,
            "role": "relay",
            "quote": None,
            "source": {
                "slug": f"s{i}",
                "name": "A very long source name " * 3,
                "kind": "news_outlet",
                "party_to_conflict": None,
                "short_name": None,
            },
        }
        for i in range(7)
    ]
    root = parse(chain_diagram(chain, title="Long"))
    width = float(root.get("viewBox", "").split()[2])
    spots = [
        tuple(map(float, re.findall(r"[\d.]+", b.get("transform", ""))))
        for b in root.iterfind(".//s:g[@class='box']", NS)
    ]
    assert len(spots) == 7
    assert len({y for _, y in spots}) == 3
    frames = root.findall(".//s:g[@class='box']/s:rect[@rx]", NS)  # each box's outline
    assert len(frames) == 7
    assert all(
        x + float(r.get("width", "")) <= width for (x, _), r in zip(spots, frames, strict=True)
    )
    assert len(root.findall(".//s:path[@class='arrow']", NS)) == 6


# Hostile text --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_everywhere_is_escaped(text: str) -> None:
    fig = figure("x", 5, 1, 9, qualifier="range", stated_as=text)
    fig.update(slug=text, url="javascript:alert(1)", unit=text, period=text, status=text)
    fig["attributions"][0]["source"].update(name=text, slug=text, kind=text, party_to_conflict=text)
    fig["attributions"].append(
        {
            "position": 1,
            "role": text,
            "quote": text,
            "source": {"name": text, "short_name": text, "slug": text},
        }
    )
    outputs = [
        estimates_chart([fig, DESERTERS_50000], title=text, highlight=text),
        chain_diagram(fig["attributions"], title=text, base="javascript:alert(1)//"),
        chain_diagram(fig["attributions"], title=text),
    ]
    for svg in outputs:
        ET.fromstring(svg)  # well-formed XML
        lowered = svg.lower()
        assert "<script" not in lowered
        assert "<img" not in lowered
        assert "onerror=" not in lowered
        assert 'href="javascript:' not in lowered
        assert "\x00" not in svg
        assert "\x1b" not in svg
    assert [a.get("href") for a in ET.fromstring(outputs[0]).iterfind(".//s:a", NS)] == [
        DESERTERS_50000["url"]
    ]


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://example.org/x", True),
        ("http://testserver/v1/figures/a", True),
        ("/v1/figures/a", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("//evil.example/x", False),
        ("https:evil", False),
        (None, False),
    ],
)
def test_safe_url(url: str | None, safe: bool) -> None:
    assert (safe_url(url) is not None) is safe


# Byte for byte, and every text through the one escape ----------------------------------------

SMALL_CHAIN = (  # drawn by the Markup.format implementation this one replaced
    '<svg xmlns="http://www.w3.org/2000/svg" role="group" '
    'aria-labelledby="chain-85e8176aa5-t chain-85e8176aa5-d" viewBox="0 0 440 109.5" '
    'width="100%" style="max-width:36rem;height:auto" font-family="system-ui, sans-serif" '
    'font-size="12" fill="#111"><title id="chain-85e8176aa5-t">t&lt;&#61;&gt;</title>'
    '<desc id="chain-85e8176aa5-d">Claimed by &lt;b&gt; &amp; &#34;c&#39;s&#34; '
    "(party to the conflict: R&#61;U).</desc>"
    '<defs><marker id="chain-85e8176aa5-a" viewBox="0 0 10 10" refX="9" refY="5" '
    'markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L10 5L0 10Z" fill="#000"/>'
    "</marker></defs>"
    '<g class="box" data-role="claimant" transform="translate(8.0 8.0)">'
    '<rect width="124.0" height="93.5" rx="4" fill="#fff" stroke="#000" stroke-width="1.5"/>'
    '<a href="/v1/sources/a%3Db">'
    '<text x="8" y="16" font-size="10" fill="#333" letter-spacing="0.5" class="role">'
    "CLAIMED BY</text>"
    '<text x="8" y="33" font-size="12" font-weight="600" class="name">'
    "&lt;b&gt; &amp; &#34;c&#39;s&#34;</text>"
    '<text x="8" y="49.5" font-size="11" fill="#333" class="kind">x y</text>'
    '<rect x="8" y="54" width="4" height="28" fill="#000"/>'
    '<text x="16" y="66.5" font-size="11" font-weight="700" class="party">party to the</text>'
    '<text x="16" y="80.5" font-size="11" font-weight="700" class="party">'
    "conflict: R&#61;U</text></a></g></svg>"
)


def test_a_small_chain_is_drawn_byte_for_byte() -> None:
    source = {"slug": "a=b", "name": '<b> & "c\'s"', "kind": "x_y", "party_to_conflict": "R=U"}
    chain = [{"position": 0, "role": "claimant", "source": source}]
    assert str(chain_diagram(chain, title="t<=>")) == SMALL_CHAIN


def _digest(svg: str) -> str:
    return hashlib.sha256(svg.encode()).hexdigest()[:16]


def test_pictures_are_byte_identical_to_the_markup_format_ones() -> None:
    """Digests of what the Markup.format implementation drew for the same input: drawing the
    pictures from plain strings changed their speed, not one byte of them. (Since then the
    root's role became `group`, which the digests undo: a picture holding links is no image.)"""
    two = [DESERTERS_50000, DESERTERS_THOUSANDS]
    seed = [*two, KILLED_OR_WOUNDED, SHARE_SENTENCED]
    sides = [None, "RU", "UA", "independent"]
    many = [figure(f"f{i}", 1000 + 37 * i, side=sides[i % 4]) for i in range(200)]
    drawn = [
        estimates_chart(two, title="Deserters", highlight="soldiers-fleeing-thousands"),
        estimates_chart(seed, title="Seed"),
        estimates_chart(many, title="Many", highlight="f7"),
        chain_diagram(DESERTERS_50000["attributions"], title="Who says so"),
        chain_diagram(SHARE_SENTENCED["attributions"], title="t", base="https://example.org/app"),
    ]
    assert [_digest(str(svg).replace('role="group"', 'role="img"', 1)) for svg in drawn] == [
        "83e80250371448d0",
        "9795729feaf8f6de",
        "889a7dfdcc94a615",
        "cfc0d8a0bdfb357a",
        "059a83b31c193669",
    ]


@pytest.fixture
def marked_escape(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``esc`` wrapped so what it returns is bracketed by ⟦ ⟧ in the output."""
    real = chain_module.esc
    monkeypatch.setattr(chain_module, "esc", lambda value: f"⟦{real(value)}⟧")
    monkeypatch.setattr(charts_module, "esc", chain_module.esc)
    chain_module.attributes.cache_clear()  # it caches escaped text
    yield
    chain_module.attributes.cache_clear()


@pytest.mark.usefixtures("marked_escape")
def test_every_text_from_a_record_goes_through_the_one_escape() -> None:
    mark = "§"  # in every text of the input: outside ⟦ ⟧ it would have skipped esc
    fig = figure(f"x{mark}", 5, 1, 9, qualifier="range", stated_as=f"said {mark} " * 12)
    fig.update(url=f"/v1/figures/{mark}", unit=mark, period=f"{mark}/{mark}", status=mark)
    fig["attributions"][0]["source"].update(
        name=f"name {mark} " * 20, slug=mark, kind=mark, party_to_conflict=mark
    )
    fig["attributions"] += [
        {"position": p, "role": f"{mark}_{p}", "source": {"name": mark * 90, "slug": mark}}
        for p in range(1, 5)
    ]
    other = figure(f"y{mark}", None, 3, None, qualifier="at_least", side=mark, unit=mark)
    outputs = [
        estimates_chart([fig, other], title=f"t{mark}", highlight=fig["slug"]),
        estimates_chart([], title=f"t{mark}"),
        chain_diagram(fig["attributions"], title=f"t{mark}", base=f"/{mark}/"),
        chain_diagram([], title=f"t{mark}"),
    ]
    for svg in outputs:
        assert mark in svg
        outside = re.sub("⟦[^⟦⟧]*⟧", "", str(svg))
        assert mark not in outside


@pytest.mark.parametrize("url", ["http://[x", "http://[::1", "https://a]b/"])
def test_a_url_python_cannot_split_is_no_link_not_an_error(url):
    assert safe_url(url) is None

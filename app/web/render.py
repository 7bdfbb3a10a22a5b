"""The pages' templates: one Jinja2 environment, escaping on for every template.

Every text on a page comes from records anyone with an editor key can write, so nothing is
marked safe but the SVG the chart functions build (each of their texts escaped there) and the
JSON-LD, which ``json_ld`` makes safe to sit inside a ``<script>`` element.
"""

import json
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.web.charts import period_words

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

QUALIFIER_WORDS = {
    "exact": "exactly",
    "about": "about",
    "at_least": "at least",
    "more_than": "more than",
    "at_most": "at most",
    "fewer_than": "fewer than",
    "up_to": "up to",
    "between": "between",
    "order_of_magnitude": "order of magnitude",
}
SIDES = {"RU": "Russia", "UA": "Ukraine"}


def number(value: Any) -> str:
    """A figure's number as a reader writes it: 50,000; 1.5; 1,000,000."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        exact = Decimal(str(value))
        if exact == exact.to_integral_value():
            return f"{int(exact):,}"
        return f"{exact:,f}".rstrip("0").rstrip(".")
    return str(value)


def humane(word: Any) -> str:
    """A vocabulary word as prose: `news_service` -> `news service`."""
    return str(word or "").replace("_", " ")


def when(value: Any) -> str:
    """A timestamp from the JSON (ISO 8601, UTC) as a short UTC date and time."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def json_ld(data: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">``: ``<``, ``>`` and ``&`` written as
    escapes, so no text in it can close the element or open another."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)  # every markup character is escaped just above


def plain(value: Any) -> str:
    """A changed value as a short text for the history timeline."""
    if value is None:
        return "(none)"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        number=number, humane=humane, when=when, json_ld=json_ld, plain=plain, period=period_words
    )
    env.globals.update(QUALIFIER_WORDS=QUALIFIER_WORDS, SIDES=SIDES)
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)

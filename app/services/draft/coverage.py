"""`sourced draft --check`: which numeric claims of an article a seed file leaves out. A claim
is covered when a figure of the file quotes the passage it stands in and states it (its
``stated_as`` holds the number as written, or gives its value), or when that passage holds no
other number."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from app.schemas.figure import FigureIn
from app.services.draft.article import read
from app.services.draft.claims import Claim, claims


@dataclass(frozen=True)
class Coverage:
    claims: list[Claim]
    missing: list[Claim]

    def summary(self) -> str:
        covered = len(self.claims) - len(self.missing)
        return (
            f"{len(self.claims)} numeric claim(s) in the article, {covered} covered by the seed "
            f"file, {len(self.missing)} missing"
        )


def check(figures: list[FigureIn], article_raw: str) -> Coverage:
    article = read(article_raw)
    text = article.text
    found = claims(article)
    spans: list[tuple[int, int, FigureIn]] = []
    for figure in figures:
        for link in figure.attributions:
            if not link.quote:
                continue
            start = text.find(link.quote)
            while start >= 0:
                spans.append((start, start + len(link.quote), figure))
                start = text.find(link.quote, start + 1)
    missing = [claim for claim in found if not _covered(claim, found, spans)]
    return Coverage(found, missing)


def _covered(claim: Claim, found: list[Claim], spans: list[tuple[int, int, FigureIn]]) -> bool:
    core = claim.number
    for start, end, figure in spans:
        if not (start <= core.start and core.end <= end):
            continue
        if _states(figure, claim):
            return True
        others = [c for c in found if c is not claim and start <= c.number.start < end]
        if not others:
            return True
    return False


def _states(figure: FigureIn, claim: Claim) -> bool:
    stated = figure.stated_as.casefold()
    if claim.number.stated.casefold() in stated or stated in claim.stated_as.casefold():
        return True
    values = {v for v in (claim.value, claim.lower, claim.upper) if v is not None}
    figure_values = {
        Decimal(v) for v in (figure.value, figure.lower_bound, figure.upper_bound) if v is not None
    }
    return bool(values & figure_values)


def seed_figures(path: Path) -> tuple[list[FigureIn], list[str]]:
    """The figures of a seed file (a draft too), and the problems that stop reading it."""
    from app.services.write import ingest

    loaded, problems = ingest.read_file(path)
    # A draft's own marks are no reason not to check it; only unreadable records are.
    fatal = [str(p) for p in problems if p.field not in ("draft", "review")]
    if loaded is None:
        return [], fatal or ["cannot be read"]
    return list(loaded.data.figures), fatal

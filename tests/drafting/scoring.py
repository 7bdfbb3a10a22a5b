"""Scoring a draft against what a careful editor would record: figures matched by value (or
bounds) and qualifier, each drafted figure used once; claimants by name."""

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from app.services.draft import Options, draft

CORPUS = Path(__file__).parent / "corpus"


def _number(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def key(record: dict[str, Any]) -> tuple[Any, ...]:
    value = _number(record.get("value"))
    if value is not None:
        return (value, record["qualifier"])
    lower = _number(record.get("lower", record.get("lower_bound")))
    upper = _number(record.get("upper", record.get("upper_bound")))
    return (lower, upper, record["qualifier"])


def _words(name: str) -> set[str]:
    name = name.replace("’", "'").lower()
    return {w for w in re.findall(r"[a-z0-9]+", name) if w not in {"the", "a", "an", "s", "of"}}


def same_claimant(expected: str, drafted: str | None, names: dict[str, str]) -> bool:
    if expected == "article":
        return drafted is None
    if drafted is None:
        return False
    want, have = _words(expected), _words(names.get(drafted, drafted))
    if not want or not have:
        return False
    return len(want & have) / min(len(want), len(have)) >= 0.6


@dataclass
class Score:
    drafted: int = 0
    expected: int = 0
    matched: int = 0
    claimants: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    wrong_claimants: list[str] = field(default_factory=list)

    def add(self, other: "Score") -> None:
        self.drafted += other.drafted
        self.expected += other.expected
        self.matched += other.matched
        self.claimants += other.claimants
        self.misses += other.misses
        self.extras += other.extras
        self.wrong_claimants += other.wrong_claimants

    @property
    def precision(self) -> float:
        return self.matched / self.drafted if self.drafted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def claimant_recall(self) -> float:
        return self.claimants / self.expected if self.expected else 1.0


def claimant_of(figure: dict[str, Any], document: str) -> str | None:
    first = figure["attributions"][0]
    return None if first["source"] == document else first["source"]


def score(article: Path, expected: list[dict[str, Any]]) -> Score:
    result = draft(article.read_text(encoding="utf-8"), Options(name=article.stem))
    seed = result.seed
    names = {s["slug"]: s["name"] for s in seed["sources"]}
    pool = list(seed["figures"])
    found = Score(drafted=len(pool), expected=len(expected))
    for want in expected:
        match = next((f for f in pool if key(f) == key(want)), None)
        if match is None:
            found.misses.append(f"{article.name}: {want['stated']!r} {key(want)}")
            continue
        pool.remove(match)
        found.matched += 1
        drafted = claimant_of(match, result.document)
        if same_claimant(want["claimant"], drafted, names):
            found.claimants += 1
        else:
            found.wrong_claimants.append(
                f"{article.name}: {want['stated']!r}: want {want['claimant']!r}, "
                f"drafted {names.get(drafted or '', 'the article')!r}"
            )
    found.extras += [f"{article.name}: {f['stated_as']!r} {key(f)}" for f in pool]
    return found


def corpus() -> list[tuple[Path, list[dict[str, Any]]]]:
    pairs = []
    for article in sorted(CORPUS.glob("*.txt")):
        expected = yaml.safe_load(article.with_suffix(".expected.yaml").read_text("utf-8"))
        pairs.append((article, expected))
    return pairs


def total() -> Score:
    overall = Score()
    for article, expected in corpus():
        overall.add(score(article, expected))
    return overall


if __name__ == "__main__":
    overall = total()
    print(
        "\n".join(
            [
                "MISSES",
                *overall.misses,
                "EXTRAS",
                *overall.extras,
                "CLAIMANTS",
                *overall.wrong_claimants,
            ]
        )
    )
    print(
        f"figures: precision {overall.precision:.2f} recall {overall.recall:.2f} "
        f"({overall.matched}/{overall.expected} found, {overall.drafted} drafted); "
        f"claimants: recall {overall.claimant_recall:.2f}"
    )

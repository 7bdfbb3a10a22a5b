"""How long `sourced draft` takes on a 2,000-word article: the fictional test corpus
(tests/drafting/corpus) joined until it has 2,000 words, drafted without a database (the
matching against stored sources and measures is one query each), median of the runs.

    .venv/bin/python -m bench.draft_timing
"""

import statistics
import time
from pathlib import Path

from app.services.draft import Options, draft

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "drafting" / "corpus"
WORDS = 2000
RUNS = 7


def article(words: int = WORDS) -> str:
    parts: list[str] = []
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))]
    while sum(len(p.split()) for p in parts) < words:
        for text in texts:
            body = text.split("\n", 1)[1]  # without the line saying it is fictional
            parts.append(body.strip())
            if sum(len(p.split()) for p in parts) >= words:
                break
    return "\n\n".join(parts) + "\n"


def as_html(text: str) -> str:
    """The same article as a saved page: paragraphs, and a menu and footer to leave out."""
    paragraphs = "".join(f"<p>{p}</p>\n" for p in text.split("\n") if p.strip())
    return (
        "<!doctype html><html><head><title>Bench</title></head><body><nav><a href='/'>Home"
        f"</a></nav><article>{paragraphs}</article><footer>Ads</footer></body></html>"
    )


def main() -> None:
    text = article()
    for kind, raw in (("plain text", text), ("HTML page", as_html(text))):
        timings = []
        for _ in range(RUNS):
            start = time.perf_counter()
            result = draft(raw, Options(name="bench"))
            timings.append(time.perf_counter() - start)
        print(
            f"{kind}: {len(text.split())} words, {len(result.claims)} figures: median "
            f"{statistics.median(timings) * 1000:.0f} ms, best {min(timings) * 1000:.0f} ms "
            f"over {RUNS} runs"
        )


if __name__ == "__main__":
    main()

"""`sourced draft`: a new article turned into a reviewable seed file, and `--check`: which
numeric claims of an article a seed file leaves out."""

from pathlib import Path
from typing import Annotated, Any

import typer

from app.cli.apps import cli


@cli.command()
def draft(
    article: Annotated[
        Path,
        typer.Argument(help="The article: plain text, or an HTML page saved from a browser."),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            help="Write the draft seed file here and the article's text beside it as "
            "documents/<slug>.txt (default: print the YAML, the text inline as full_text)."
        ),
    ] = None,
    title: Annotated[
        str | None, typer.Option(help="The article's headline (default: read from it).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where the article was published.")] = None,
    published: Annotated[
        str | None, typer.Option(help="When it was published (EDTF: 2024-03-05, 2024-03).")
    ] = None,
    check: Annotated[
        Path | None,
        typer.Option(
            "--check",
            help="Instead of drafting, list the numeric claims of ARTICLE that this seed file "
            "does not cover (exit 1 when any is missing).",
        ),
    ] = None,
) -> None:
    """Draft a seed file from an article: one candidate figure per numeric claim, each with its
    verbatim quote, value, qualifier, unit, period and attribution chain, sources and measures
    matched against the database. Every guess carries a `review` note, and the file's `draft`
    mark keeps `sourced seed` from loading it until an editor has checked it and removed the
    mark."""
    raw = _read(article)
    if check is not None:
        _check(check, raw)
        return
    from app.services import draft as drafting

    options = drafting.Options(
        title=title, url=url, published=published, name=article.stem, inline=out is None
    )
    try:
        with _Session() as session:
            result = drafting.draft(raw, options, session)
    except drafting.DraftError as exc:
        typer.echo(f"draft refused: {exc}", err=True)
        raise typer.Exit(code=1) from None
    if out is None:
        typer.echo(result.yaml(), nl=False)
        typer.echo(result.summary(), err=True)
        return
    assert result.text_file is not None
    text_path = out.parent / result.text_file
    if out.exists():
        typer.echo(f"{out} exists: choose another --out, or delete it first", err=True)
        raise typer.Exit(code=1)
    if text_path.exists() and text_path.read_text(encoding="utf-8") != result.article.text:
        typer.echo(f"{text_path} exists with another text: move it, or draft elsewhere", err=True)
        raise typer.Exit(code=1)
    text_path.parent.mkdir(parents=True, exist_ok=True)
    text_path.write_text(result.article.text, encoding="utf-8")
    out.write_text(result.yaml(), encoding="utf-8")
    typer.echo(f"wrote {out} and {text_path}")
    typer.echo(result.summary())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{path}: cannot be read: {exc}", err=True)
        raise typer.Exit(code=1) from None


class _Session:
    """A read-only session on the configured database for matching sources and measures, or
    None when there is no database yet (the draft then proposes every source and measure)."""

    def __enter__(self) -> Any:
        from sqlmodel import Session

        from app.cli.common import missing_sqlite_file
        from app.db import build_engine
        from app.settings import Settings

        self.engine = None
        self.session: Any = None
        settings = Settings()
        if missing_sqlite_file(settings.database_url):
            typer.echo("note: no database: sources and measures are all proposed as new", err=True)
            return None
        self.engine = build_engine(settings, statement_timeout=False)
        self.session = Session(self.engine)
        return self.session

    def __exit__(self, *exc: object) -> None:
        if self.session is not None:
            self.session.rollback()
            self.session.close()
        if self.engine is not None:
            self.engine.dispose()


def _check(seed_file: Path, raw: str) -> None:
    from app.services.draft import coverage

    figures, problems = coverage.seed_figures(seed_file)
    if problems:
        typer.echo(f"{seed_file}: cannot be checked: {len(problems)} problem(s)", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(code=2)
    result = coverage.check(figures, raw)
    for claim in result.missing:
        sentence = " ".join(claim.sentence.text.split())
        typer.echo(f"missing: {claim.stated_as!r} in: {sentence}")
    typer.echo(result.summary())
    if result.missing:
        raise typer.Exit(code=1)

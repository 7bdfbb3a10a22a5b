"""Alembic environment: the URL comes from the app's settings; SQLite migrates in batch mode."""

from alembic import context

from app.db import build_engine
from app.models import metadata
from app.settings import Settings

config = context.config

# The full-text index, and the search index's change log and token, are engine-specific SQL
# written by hand in the migrations (kept by triggers, not models); autogenerate must not see
# them as something to drop.
_HAND_WRITTEN_TABLES = ("search_fts", "search_change", "search_index_token")


def include_name(name, type_, parent_names):  # type: ignore[no-untyped-def]
    # Before reflection: a hand-written table's types (xid8) are unknown to SQLAlchemy.
    return not (type_ == "table" and name is not None and name.startswith(_HAND_WRITTEN_TABLES))


def include_object(obj, name, type_, reflected, compare_to):  # type: ignore[no-untyped-def]
    if type_ == "table" and name is not None and name.startswith(_HAND_WRITTEN_TABLES):
        return False
    if type_ == "column" and name == "tsv" and obj.table.name == "search_entry":
        return False
    return not (type_ == "index" and name in ("ix_search_entry_tsv", "ix_search_change_xid"))


def _url() -> str:
    # Callers (the CLI, the tests) may hand over a URL; otherwise read the environment.
    return config.attributes.get("database_url") or Settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=_url().startswith("sqlite"),
        compare_type=True,
        include_object=include_object,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # A migration may rewrite a large table: the API's statement timeout does not apply.
    engine = build_engine(Settings(database_url=_url(), statement_timeout_ms=0))
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    sqlite = connection.dialect.name == "sqlite"
    if sqlite and not connection.in_transaction():
        # Batch mode rebuilds a table by copying it and dropping the original; with foreign
        # keys enforced, dropping a table that other rows point to fails. SQLite ignores this
        # pragma inside a transaction, so it goes to the driver before Alembic begins one; the
        # foreign_key_check below proves the rebuilt tables still hold together.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migration left dangling foreign keys: {broken[:5]}")
    if sqlite and not connection.in_transaction():
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

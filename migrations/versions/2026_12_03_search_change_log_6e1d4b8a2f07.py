"""search change log: every change to a search entry is logged in its own transaction

The search ranks from an index outside the database (app/services/common/search_engine.py).
Triggers write the id of each inserted, updated or deleted entry to ``search_change``; before a
search, the index applies what it does not hold yet. On PostgreSQL each row also holds its
transaction's id, since transactions commit out of sequence, and a truncation logs a row with
no id (rebuild everything). ``search_index_token`` holds a random token naming this database,
so that an index built from another one is not taken for this one's.

Revision ID: 6e1d4b8a2f07
Revises: 4b7c2e9d1f3a
Create Date: 2026-12-03 22:15:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "6e1d4b8a2f07"
down_revision: str | None = "4b7c2e9d1f3a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_UP = [
    """CREATE TABLE search_change (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        entry_id INTEGER)""",
    "CREATE TABLE search_index_token (token TEXT NOT NULL)",
    "INSERT INTO search_index_token (token) VALUES (lower(hex(randomblob(16))))",
    """CREATE TRIGGER search_entry_log_ai AFTER INSERT ON search_entry BEGIN
        INSERT INTO search_change (entry_id) VALUES (new.id);
    END""",
    """CREATE TRIGGER search_entry_log_ad AFTER DELETE ON search_entry BEGIN
        INSERT INTO search_change (entry_id) VALUES (old.id);
    END""",
    """CREATE TRIGGER search_entry_log_au AFTER UPDATE ON search_entry BEGIN
        INSERT INTO search_change (entry_id) VALUES (new.id);
        INSERT INTO search_change (entry_id) SELECT old.id WHERE old.id <> new.id;
    END""",
]

# Statement-level triggers with transition tables: a page of 5,000 entries is one INSERT into
# the log, not 5,000.
POSTGRES_UP = [
    """CREATE TABLE search_change (
        seq bigserial PRIMARY KEY,
        entry_id integer,
        xid xid8 NOT NULL DEFAULT pg_current_xact_id())""",
    "CREATE INDEX ix_search_change_xid ON search_change (xid)",
    "CREATE TABLE search_index_token (token text NOT NULL)",
    """INSERT INTO search_index_token (token)
        VALUES (md5(random()::text || clock_timestamp()::text || txid_current()::text))""",
    """CREATE FUNCTION search_change_new() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_change (entry_id) SELECT id FROM new_rows;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_change_old() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_change (entry_id) SELECT id FROM old_rows;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_change_both() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_change (entry_id)
        SELECT id FROM new_rows UNION SELECT id FROM old_rows;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION search_change_all() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_change (entry_id) VALUES (NULL);
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER search_entry_log_ai AFTER INSERT ON search_entry
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_change_new()""",
    """CREATE TRIGGER search_entry_log_ad AFTER DELETE ON search_entry
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_change_old()""",
    # An update logs the new ids and the old ones (an id is never changed, but if it were, the
    # old id's document must go).
    """CREATE TRIGGER search_entry_log_au AFTER UPDATE ON search_entry
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION search_change_both()""",
    """CREATE TRIGGER search_entry_log_truncate AFTER TRUNCATE ON search_entry
        FOR EACH STATEMENT EXECUTE FUNCTION search_change_all()""",
]


def upgrade() -> None:
    for statement in SQLITE_UP if op.get_bind().dialect.name == "sqlite" else POSTGRES_UP:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS search_entry_log_{name}")
    else:
        for name in ("ai", "ad", "au", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS search_entry_log_{name} ON search_entry")
        for name in ("new", "old", "both", "all"):
            op.execute(f"DROP FUNCTION IF EXISTS search_change_{name}()")
    op.drop_table("search_index_token")
    op.drop_table("search_change")

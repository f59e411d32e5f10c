"""Migrations tested the way many teams do: change the live schema, check, change it back.

Every test leaves the schema as shop.schema defines it (restore() runs after each), so the
other modules, run after this one in the same process, find the tables they expect.
"""

import pytest

from shop import models, schema

ORDERS_COLUMNS = ["id", "customer_id", "status", "total_cents", "created_at"]
PRODUCTS_COLUMNS = ["id", "sku", "name", "price_cents", "stock"]


def restore(db):
    """Undo whatever a migration test left behind, whatever state it stopped in."""
    if "unit_price_cents" in schema.columns(db, "products"):
        db.execute("ALTER TABLE products RENAME COLUMN unit_price_cents TO price_cents")
    db.execute("ALTER TABLE IF EXISTS orders DROP COLUMN IF EXISTS coupon")
    db.execute("ALTER TABLE IF EXISTS orders DROP COLUMN IF EXISTS archived")
    db.execute("DROP INDEX IF EXISTS orders_status_idx")
    schema.create_schema(db)


@pytest.fixture
def migrating(clean_db):
    yield clean_db
    restore(clean_db)


def test_schema_is_as_defined(db, pause):
    pause()
    assert schema.columns(db, "orders") == ORDERS_COLUMNS
    assert schema.columns(db, "products") == PRODUCTS_COLUMNS


def test_add_coupon_column(migrating, pause):
    db = migrating
    db.execute("ALTER TABLE orders ADD COLUMN coupon text")
    ann = models.create_customer(db, "ann@example.com", "Ann")
    db.execute("INSERT INTO orders (customer_id, coupon) VALUES (%s, 'WELCOME10')", (ann,))
    pause()
    assert schema.columns(db, "orders") == ORDERS_COLUMNS + ["coupon"]
    assert db.all("SELECT coupon FROM orders") == [("WELCOME10",)]


def test_rename_price_column(migrating, pause):
    db = migrating
    db.execute("ALTER TABLE products RENAME COLUMN price_cents TO unit_price_cents")
    pause()
    assert "unit_price_cents" in schema.columns(db, "products")
    db.execute("ALTER TABLE products RENAME COLUMN unit_price_cents TO price_cents")
    assert schema.columns(db, "products") == PRODUCTS_COLUMNS


def test_backfill_archived_flag(migrating, pause):
    db = migrating
    ann = models.create_customer(db, "ann@example.com", "Ann")
    for _ in range(3):
        db.execute("INSERT INTO orders (customer_id) VALUES (%s)", (ann,))
    db.execute("ALTER TABLE orders ADD COLUMN archived boolean")
    pause()
    assert db.execute("UPDATE orders SET archived = false WHERE archived IS NULL").rowcount == 3


def test_rebuild_order_lines(migrating, pause):
    db = migrating
    db.execute("DROP TABLE order_lines")
    pause()
    schema.create_schema(db)
    assert schema.count_rows(db, "order_lines") == 0


def test_drop_and_recreate_everything(migrating, pause):
    db = migrating
    schema.drop_schema(db)
    pause()
    schema.create_schema(db)
    assert [schema.count_rows(db, t) for t in schema.TABLES] == [0, 0, 0, 0, 0]


def test_status_index(migrating, pause):
    db = migrating
    db.execute("CREATE INDEX orders_status_idx ON orders (status)")
    pause()
    assert db.scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_status_idx'") == 1


def test_tables_exist(db):
    names = db.all("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    assert [n for (n,) in names] == sorted(schema.TABLES)

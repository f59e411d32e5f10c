"""The tables, created by whoever needs them (each test process creates its own)."""

TABLES = ("customers", "products", "orders", "order_lines", "audit_log")

# an arbitrary number: two processes creating the schema at once take turns
SCHEMA_LOCK = 4242

DDL = [
    """CREATE TABLE IF NOT EXISTS customers (
        id serial PRIMARY KEY,
        email text NOT NULL UNIQUE,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS products (
        id serial PRIMARY KEY,
        sku text NOT NULL UNIQUE,
        name text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        stock integer NOT NULL DEFAULT 0 CHECK (stock >= 0)
    )""",
    """CREATE TABLE IF NOT EXISTS orders (
        id serial PRIMARY KEY,
        customer_id integer NOT NULL REFERENCES customers(id),
        status text NOT NULL DEFAULT 'new',
        total_cents integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
    )""",
    """CREATE TABLE IF NOT EXISTS order_lines (
        id serial PRIMARY KEY,
        order_id integer NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        product_id integer NOT NULL REFERENCES products(id),
        quantity integer NOT NULL CHECK (quantity > 0),
        price_cents integer NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        id serial PRIMARY KEY,
        event text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
    )""",
]


def create_schema(db):
    """Create every table that is missing; safe when another process does it too."""
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for statement in DDL:
            db.execute(statement)


def drop_schema(db):
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        for table in reversed(TABLES):
            db.execute(f"DROP TABLE IF EXISTS {table} CASCADE")


def truncate_all(db):
    """Empty every table and restart its ids at 1."""
    db.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")


def count_rows(db, table):
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    return db.scalar(f"SELECT count(*) FROM {table}")


def columns(db, table):
    rows = db.all(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s ORDER BY ordinal_position",
        (table,),
    )
    return [name for (name,) in rows]

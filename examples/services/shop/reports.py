"""Reports over every order: what the dashboard shows."""


def revenue_cents(db):
    """Money taken: every order that is not cancelled."""
    return db.scalar("SELECT coalesce(sum(total_cents), 0) FROM orders WHERE status <> 'cancelled'")


def orders_by_status(db):
    return dict(db.all("SELECT status, count(*) FROM orders GROUP BY status"))


def top_products(db, limit=3):
    return db.all(
        "SELECT p.sku, sum(l.quantity) AS sold FROM order_lines l JOIN products p ON p.id = l.product_id "
        "JOIN orders o ON o.id = l.order_id WHERE o.status <> 'cancelled' "
        "GROUP BY p.sku ORDER BY sold DESC, p.sku LIMIT %s",
        (limit,),
    )


def best_customer(db):
    row = db.one(
        "SELECT c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
        "WHERE o.status <> 'cancelled' GROUP BY c.name ORDER BY sum(o.total_cents) DESC, c.name LIMIT 1"
    )
    return None if row is None else row[0]


def average_order_cents(db):
    value = db.scalar("SELECT avg(total_cents) FROM orders WHERE status <> 'cancelled'")
    return None if value is None else round(value)


def low_stock(db, threshold=5):
    return [sku for (sku,) in db.all(
        "SELECT sku FROM products WHERE stock < %s ORDER BY sku", (threshold,)
    )]

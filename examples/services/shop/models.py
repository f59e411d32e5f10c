"""Customers, products and orders: the functions the rest of the app calls."""


class OutOfStock(Exception):
    pass


def create_customer(db, email, name):
    return db.scalar(
        "INSERT INTO customers (email, name) VALUES (%s, %s) RETURNING id", (email, name)
    )


def get_customer(db, customer_id):
    row = db.one("SELECT id, email, name FROM customers WHERE id = %s", (customer_id,))
    return None if row is None else {"id": row[0], "email": row[1], "name": row[2]}


def find_customer(db, email):
    row = db.one("SELECT id FROM customers WHERE email = %s", (email.lower(),))
    return None if row is None else row[0]


def list_customers(db):
    return [name for (name,) in db.all("SELECT name FROM customers ORDER BY name")]


def rename_customer(db, customer_id, name):
    db.execute("UPDATE customers SET name = %s WHERE id = %s", (name, customer_id))


def create_product(db, sku, name, price_cents, stock=0):
    return db.scalar(
        "INSERT INTO products (sku, name, price_cents, stock) VALUES (%s, %s, %s, %s) RETURNING id",
        (sku, name, price_cents, stock),
    )


def product_stock(db, product_id):
    return db.scalar("SELECT stock FROM products WHERE id = %s", (product_id,))


def restock(db, product_id, quantity):
    db.execute("UPDATE products SET stock = stock + %s WHERE id = %s", (quantity, product_id))
    log(db, f"restock {product_id} +{quantity}")


def place_order(db, customer_id, items):
    """items: [(product_id, quantity), ...]. Takes the stock, records the lines, returns the order id."""
    if not items:
        raise ValueError("an order needs at least one item")
    with db.transaction():
        order_id = db.scalar(
            "INSERT INTO orders (customer_id) VALUES (%s) RETURNING id", (customer_id,)
        )
        total = 0
        for product_id, quantity in items:
            row = db.one(
                "UPDATE products SET stock = stock - %s WHERE id = %s AND stock >= %s "
                "RETURNING price_cents",
                (quantity, product_id, quantity),
            )
            if row is None:
                raise OutOfStock(f"product {product_id}: fewer than {quantity} in stock")
            db.execute(
                "INSERT INTO order_lines (order_id, product_id, quantity, price_cents) "
                "VALUES (%s, %s, %s, %s)",
                (order_id, product_id, quantity, row[0]),
            )
            total += row[0] * quantity
        db.execute("UPDATE orders SET total_cents = %s WHERE id = %s", (total, order_id))
        log(db, f"order {order_id} placed")
    return order_id


def get_order(db, order_id):
    row = db.one(
        "SELECT id, customer_id, status, total_cents FROM orders WHERE id = %s", (order_id,)
    )
    if row is None:
        return None
    lines = db.all(
        "SELECT product_id, quantity, price_cents FROM order_lines WHERE order_id = %s ORDER BY id",
        (order_id,),
    )
    return {"id": row[0], "customer_id": row[1], "status": row[2], "total_cents": row[3],
            "lines": [{"product_id": p, "quantity": q, "price_cents": c} for p, q, c in lines]}


def list_orders(db, customer_id=None, status=None):
    sql = "SELECT id FROM orders WHERE true"
    params = []
    if customer_id is not None:
        sql += " AND customer_id = %s"
        params.append(customer_id)
    if status is not None:
        sql += " AND status = %s"
        params.append(status)
    return [order_id for (order_id,) in db.all(sql + " ORDER BY id", params)]


def count_orders(db, status=None):
    if status is None:
        return db.scalar("SELECT count(*) FROM orders")
    return db.scalar("SELECT count(*) FROM orders WHERE status = %s", (status,))


def set_status(db, order_id, status):
    if status not in ("new", "paid", "shipped", "cancelled"):
        raise ValueError(f"unknown status {status!r}")
    db.execute("UPDATE orders SET status = %s WHERE id = %s", (status, order_id))
    log(db, f"order {order_id} {status}")


def cancel_order(db, order_id):
    """Cancel an order and put its items back in stock."""
    with db.transaction():
        status = db.scalar("SELECT status FROM orders WHERE id = %s FOR UPDATE", (order_id,))
        if status in ("shipped", "cancelled"):
            raise ValueError(f"order {order_id} is {status}")
        for product_id, quantity in db.all(
            "SELECT product_id, quantity FROM order_lines WHERE order_id = %s", (order_id,)
        ):
            db.execute("UPDATE products SET stock = stock + %s WHERE id = %s", (quantity, product_id))
        db.execute("UPDATE orders SET status = 'cancelled' WHERE id = %s", (order_id,))
        log(db, f"order {order_id} cancelled")


def delete_customer_orders(db, customer_id):
    cur = db.execute("DELETE FROM orders WHERE customer_id = %s", (customer_id,))
    return cur.rowcount


def log(db, event):
    db.execute("INSERT INTO audit_log (event) VALUES (%s)", (event,))


def audit_events(db):
    return [event for (event,) in db.all("SELECT event FROM audit_log ORDER BY id")]

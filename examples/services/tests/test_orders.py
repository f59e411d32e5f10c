"""Orders: stock, lines, totals and counts, each test on empty tables."""

import pytest

from shop import models, schema


@pytest.fixture
def shopfront(clean_db):
    """One customer and two products: a mug (1200 cents, 10 in stock) and a pen (250, 3)."""
    ann = models.create_customer(clean_db, "ann@example.com", "Ann")
    mug = models.create_product(clean_db, "MUG", "Mug", 1200, stock=10)
    pen = models.create_product(clean_db, "PEN", "Pen", 250, stock=3)
    return {"db": clean_db, "ann": ann, "mug": mug, "pen": pen}


def test_no_orders_yet(shopfront, pause):
    pause()
    assert models.count_orders(shopfront["db"]) == 0
    assert models.list_orders(shopfront["db"]) == []


def test_first_order_gets_id_1(shopfront, pause):
    order_id = models.place_order(shopfront["db"], shopfront["ann"], [(shopfront["mug"], 1)])
    pause()
    assert order_id == 1


def test_total_is_the_sum_of_lines(shopfront, pause):
    s = shopfront
    order_id = models.place_order(s["db"], s["ann"], [(s["mug"], 2), (s["pen"], 3)])
    pause()
    assert models.get_order(s["db"], order_id)["total_cents"] == 2 * 1200 + 3 * 250


def test_lines_are_recorded(shopfront, pause):
    s = shopfront
    order_id = models.place_order(s["db"], s["ann"], [(s["mug"], 1), (s["pen"], 2)])
    pause()
    assert models.get_order(s["db"], order_id)["lines"] == [
        {"product_id": s["mug"], "quantity": 1, "price_cents": 1200},
        {"product_id": s["pen"], "quantity": 2, "price_cents": 250},
    ]
    assert schema.count_rows(s["db"], "order_lines") == 2


def test_stock_is_taken(shopfront, pause):
    s = shopfront
    models.place_order(s["db"], s["ann"], [(s["mug"], 4)])
    pause()
    assert models.product_stock(s["db"], s["mug"]) == 6


def test_out_of_stock_order_is_rolled_back(shopfront, pause):
    s = shopfront
    with pytest.raises(models.OutOfStock):
        models.place_order(s["db"], s["ann"], [(s["mug"], 1), (s["pen"], 4)])
    pause()
    assert models.count_orders(s["db"]) == 0
    assert models.product_stock(s["db"], s["mug"]) == 10


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_count_after_orders(shopfront, pause, n):
    s = shopfront
    for _ in range(n):
        models.place_order(s["db"], s["ann"], [(s["mug"], 1)])
    pause()
    assert models.count_orders(s["db"]) == n
    assert models.product_stock(s["db"], s["mug"]) == 10 - n


def test_orders_of_a_customer(shopfront, pause):
    s = shopfront
    bob = models.create_customer(s["db"], "bob@example.com", "Bob")
    a1 = models.place_order(s["db"], s["ann"], [(s["mug"], 1)])
    models.place_order(s["db"], bob, [(s["pen"], 1)])
    a2 = models.place_order(s["db"], s["ann"], [(s["pen"], 1)])
    pause()
    assert models.list_orders(s["db"], customer_id=s["ann"]) == [a1, a2]


def test_orders_by_status(shopfront, pause):
    s = shopfront
    o1 = models.place_order(s["db"], s["ann"], [(s["mug"], 1)])
    o2 = models.place_order(s["db"], s["ann"], [(s["mug"], 1)])
    models.set_status(s["db"], o2, "paid")
    pause()
    assert models.list_orders(s["db"], status="new") == [o1]
    assert models.count_orders(s["db"], status="paid") == 1


def test_cancel_puts_stock_back(shopfront, pause):
    s = shopfront
    order_id = models.place_order(s["db"], s["ann"], [(s["mug"], 3), (s["pen"], 2)])
    models.cancel_order(s["db"], order_id)
    pause()
    assert models.get_order(s["db"], order_id)["status"] == "cancelled"
    assert models.product_stock(s["db"], s["mug"]) == 10
    assert models.product_stock(s["db"], s["pen"]) == 3


def test_a_shipped_order_cannot_be_cancelled(shopfront, pause):
    s = shopfront
    order_id = models.place_order(s["db"], s["ann"], [(s["pen"], 1)])
    models.set_status(s["db"], order_id, "shipped")
    pause()
    with pytest.raises(ValueError, match="shipped"):
        models.cancel_order(s["db"], order_id)


def test_restock(shopfront, pause):
    s = shopfront
    models.restock(s["db"], s["pen"], 7)
    pause()
    assert models.product_stock(s["db"], s["pen"]) == 10


def test_audit_log_tells_the_story(shopfront, pause):
    s = shopfront
    order_id = models.place_order(s["db"], s["ann"], [(s["mug"], 1)])
    models.set_status(s["db"], order_id, "paid")
    models.set_status(s["db"], order_id, "shipped")
    pause()
    assert models.audit_events(s["db"]) == ["order 1 placed", "order 1 paid", "order 1 shipped"]


def test_deleting_a_customers_orders(shopfront, pause):
    s = shopfront
    for _ in range(3):
        models.place_order(s["db"], s["ann"], [(s["mug"], 1)])
    pause()
    assert models.delete_customer_orders(s["db"], s["ann"]) == 3
    assert schema.count_rows(s["db"], "order_lines") == 0


def test_missing_order_is_none(shopfront):
    assert models.get_order(shopfront["db"], 99999) is None

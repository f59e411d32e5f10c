"""Reports over the whole orders table: exact figures from a known data set."""

import pytest

from shop import models, reports


@pytest.fixture
def sales(clean_db):
    """3 customers, 4 products, 5 orders of which one is cancelled."""
    db = clean_db
    ann = models.create_customer(db, "ann@example.com", "Ann")
    bob = models.create_customer(db, "bob@example.com", "Bob")
    cy = models.create_customer(db, "cy@example.com", "Cy")
    mug = models.create_product(db, "MUG", "Mug", 1200, stock=20)
    pen = models.create_product(db, "PEN", "Pen", 250, stock=50)
    hat = models.create_product(db, "HAT", "Hat", 3000, stock=4)
    models.create_product(db, "BAG", "Bag", 4500, stock=2)
    models.place_order(db, ann, [(mug, 2), (pen, 4)])       # 3400
    models.place_order(db, bob, [(hat, 1)])                 # 3000
    o3 = models.place_order(db, bob, [(pen, 10)])           # 2500
    models.place_order(db, cy, [(mug, 1), (hat, 1)])        # 4200
    o5 = models.place_order(db, ann, [(pen, 2)])            # 500, cancelled
    models.set_status(db, o3, "paid")
    models.cancel_order(db, o5)
    return db


def test_revenue(sales, pause):
    pause()
    assert reports.revenue_cents(sales) == 3400 + 3000 + 2500 + 4200


def test_orders_by_status(sales, pause):
    pause()
    assert reports.orders_by_status(sales) == {"new": 3, "paid": 1, "cancelled": 1}


def test_top_products(sales, pause):
    pause()
    assert reports.top_products(sales) == [("PEN", 14), ("MUG", 3), ("HAT", 2)]


def test_best_customer(sales, pause):
    pause()
    assert reports.best_customer(sales) == "Bob"


def test_average_order(sales, pause):
    pause()
    assert reports.average_order_cents(sales) == round((3400 + 3000 + 2500 + 4200) / 4)


def test_low_stock(sales, pause):
    pause()
    assert reports.low_stock(sales) == ["BAG", "HAT"]


def test_revenue_after_another_cancellation(sales, pause):
    models.cancel_order(sales, 4)
    pause()
    assert reports.revenue_cents(sales) == 3400 + 3000 + 2500


def test_revenue_after_a_new_order(sales, pause):
    models.place_order(sales, 3, [(4, 1)])
    pause()
    assert reports.revenue_cents(sales) == 3400 + 3000 + 2500 + 4200 + 4500


def test_bag_becomes_a_top_product(sales, pause):
    models.place_order(sales, 1, [(4, 2)])
    pause()
    assert reports.top_products(sales, limit=4) == [("PEN", 14), ("MUG", 3), ("BAG", 2), ("HAT", 2)]


def test_empty_shop_reports_nothing(clean_db, pause):
    pause()
    assert reports.revenue_cents(clean_db) == 0
    assert reports.orders_by_status(clean_db) == {}
    assert reports.best_customer(clean_db) is None
    assert reports.average_order_cents(clean_db) is None


@pytest.mark.parametrize("threshold, skus", [(2, []), (3, ["BAG", "HAT"]), (20, ["BAG", "HAT", "MUG"])])
def test_low_stock_thresholds(sales, pause, threshold, skus):
    pause()
    assert reports.low_stock(sales, threshold) == skus

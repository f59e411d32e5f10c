"""How many queries each operation sends, as Django's assertNumQueries checks it."""

import pytest

from shop import models, reports


@pytest.fixture
def stocked(clean_db):
    ann = models.create_customer(clean_db, "ann@example.com", "Ann")
    products = [models.create_product(clean_db, f"P{i}", f"Product {i}", 100 * (i + 1), stock=10)
                for i in range(3)]
    return clean_db, ann, products


@pytest.mark.parametrize("lines", [1, 2, 3])
def test_place_order_queries(stocked, pause, lines):
    db, ann, products = stocked
    pause()
    with db.count_queries() as queries:
        models.place_order(db, ann, [(p, 1) for p in products[:lines]])
    # BEGIN, insert the order, per line: take stock and insert the line, the total, the log, COMMIT
    assert queries.count == 5 + 2 * lines


def test_get_order_queries(stocked, pause):
    db, ann, products = stocked
    order_id = models.place_order(db, ann, [(products[0], 2)])
    pause()
    with db.count_queries() as queries:
        order = models.get_order(db, order_id)
    assert queries.count == 2
    assert order["total_cents"] == 200


def test_cancel_queries(stocked, pause):
    db, ann, products = stocked
    order_id = models.place_order(db, ann, [(products[0], 1), (products[1], 1)])
    pause()
    with db.count_queries() as queries:
        models.cancel_order(db, order_id)
    # BEGIN, lock the order, read its lines, one stock update per line, the status, the log, COMMIT
    assert queries.count == 8


def test_report_is_one_query(stocked, pause):
    db, ann, products = stocked
    pause()
    with db.count_queries() as queries:
        reports.top_products(db)
    assert queries.count == 1


def test_counters_nest(db):
    with db.count_queries() as outer:
        db.scalar("SELECT 1")
        with db.count_queries() as inner:
            db.scalar("SELECT 2")
    assert (outer.count, inner.count) == (2, 1)
    assert inner.statements == ["SELECT 2"]


def test_total_query_count_grows(db):
    before = db.queries
    db.scalar("SELECT 1")
    assert db.queries == before + 1

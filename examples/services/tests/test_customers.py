"""Customers: each test starts from empty tables (clean_db) and checks exact results."""

import psycopg2
import pytest

from shop import models, schema


def test_table_starts_empty(clean_db, pause):
    pause()
    assert schema.count_rows(clean_db, "customers") == 0


def test_first_customer_gets_id_1(clean_db, pause):
    customer_id = models.create_customer(clean_db, "ann@example.com", "Ann")
    pause()
    assert customer_id == 1
    assert models.get_customer(clean_db, 1)["name"] == "Ann"


@pytest.mark.parametrize("n", [1, 2, 5, 10, 25])
def test_count_after_inserts(clean_db, pause, n):
    for i in range(n):
        models.create_customer(clean_db, f"c{i}@example.com", f"Customer {i}")
    pause()
    assert schema.count_rows(clean_db, "customers") == n


def test_duplicate_email_is_refused(clean_db, pause):
    models.create_customer(clean_db, "bob@example.com", "Bob")
    pause()
    with pytest.raises(psycopg2.errors.UniqueViolation):
        models.create_customer(clean_db, "bob@example.com", "Robert")
    assert models.list_customers(clean_db) == ["Bob"]


def test_find_by_email(clean_db, pause):
    models.create_customer(clean_db, "cy@example.com", "Cy")
    dee = models.create_customer(clean_db, "dee@example.com", "Dee")
    pause()
    assert models.find_customer(clean_db, "dee@example.com") == dee


def test_find_is_case_insensitive(clean_db, pause):
    eve = models.create_customer(clean_db, "eve@example.com", "Eve")
    pause()
    assert models.find_customer(clean_db, "EVE@Example.com") == eve


def test_unknown_email_is_not_found(clean_db):
    assert models.find_customer(clean_db, "nobody@example.com") is None


def test_list_is_sorted_by_name(clean_db, pause):
    for name in ("Zoe", "Ann", "Bob"):
        models.create_customer(clean_db, f"{name.lower()}@example.com", name)
    pause()
    assert models.list_customers(clean_db) == ["Ann", "Bob", "Zoe"]


def test_rename(clean_db, pause):
    fay = models.create_customer(clean_db, "fay@example.com", "Fay")
    models.rename_customer(clean_db, fay, "Faye")
    pause()
    assert models.list_customers(clean_db) == ["Faye"]


def test_missing_customer_is_none(clean_db):
    assert models.get_customer(clean_db, 123456) is None


def test_created_at_is_set(clean_db):
    gus = models.create_customer(clean_db, "gus@example.com", "Gus")
    assert clean_db.scalar("SELECT created_at IS NOT NULL FROM customers WHERE id = %s", (gus,))


def test_ids_follow_each_other(clean_db, pause):
    ids = [models.create_customer(clean_db, f"s{i}@example.com", f"S{i}") for i in range(4)]
    pause()
    assert ids == [1, 2, 3, 4]

"""shop: orders kept in PostgreSQL, carts, counters and a cache kept in Redis."""

__version__ = "0.1.0"

"""Tests that start a real PostgreSQL or redis-server of their own (migrations, locks, the last
admin under concurrent requests): out of `make test-fast`, part of the full run."""

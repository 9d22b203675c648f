"""Tests that need a real PostgreSQL or redis-server, throwaway ones started once per run
(tests/conftest.py): migrations, locks, the last admin under concurrent requests. Out of
`make test-fast`, part of the full run."""

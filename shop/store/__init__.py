"""The order store: SQLAlchemy models, sessions, queries and demo data."""

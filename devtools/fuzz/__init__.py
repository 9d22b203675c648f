"""Hostile inputs and the campaigns that send them to every widget and console route, shared by
the fuzz tests and ``scripts/fuzz.py``."""

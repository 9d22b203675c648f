"""Rasa custom actions: thin adapters that read slots, call ``shop.assistant`` and utter.

No SQL and no shop rule lives here; every action answers politely even when the domain fails.
"""

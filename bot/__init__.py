"""Rasa training data (bot/data) and the project's own NLU component."""

"""The shop's domain: order store, shop rules (policy engine) and knowledge.

Importable without Rasa or FastAPI so that rules run and test in milliseconds.
"""

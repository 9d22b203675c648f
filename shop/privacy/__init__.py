"""Shoppers' personal data: export, erasure, retention and the audit log of who accessed it.

Pure domain code on the order store's database (desk tables, order store and Rasa's tracker
events); the desk's console and widget and the command line ``python -m shop.privacy`` call it.
"""

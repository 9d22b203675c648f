"""Orders from the shop's own platform (Shopify, WooCommerce, PrestaShop) into the order store.

Each platform's payload or export row is mapped onto one normalised order (``record.py``) with
the tables of ``mappings.yml`` and the shop's own overrides, then upserted by ``ingest.py``.
"""

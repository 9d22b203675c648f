"""The product as production runs it (``scripts/serve.sh``: supervisord, nginx, PostgreSQL,
Redis, one Rasa server, one action server, two desks), started once for the load and fault
tests of this folder, on ports of its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.servers import model_path
from loadtest.product import ServedProduct


@pytest.fixture(scope="session")
def served() -> Iterator[ServedProduct]:
    model_path()  # trained first if the training data changed, outside serve.sh's wait
    product = ServedProduct(rasa=1, actions=1, desks=2, base_port=5860, public_port=8840)
    try:
        yield product.start()
    finally:
        product.remove()

"""Write .var/endpoints.yml for Rasa from the same settings as the rest of the product.

Rasa's SQL tracker store goes to the order store's database (SHOP_DATABASE_URL: SQLite file by
default, PostgreSQL in production), so restarting any server keeps every conversation. It is
Rasa's store without a count query on each save (bot/tracker_store.py). With SHOP_REDIS_URL set,
conversations are locked in Redis instead of in the process, so that several Rasa processes can
serve the same conversations (design.md: Rasa's own scale-out path), through Rasa's Redis lock
store made atomic (bot/lock_store.py). The action server answers only requests that carry the
shared token (``ACTIONS_TOKEN``, else ``.var/actions_token``), which Rasa sends as ``?token=``;
the file holds secrets, so it is readable by its owner only.

Rasa sends its domain to the action server only for the actions that read it
(``enable_selective_domain``): the forms' validation actions (``validate_*``, which Rasa
always sends it to) and those marked ``send_domain`` in domain.yml; the other actions never
read it, and serialising it on every call was waste.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml
from sqlalchemy.engine import make_url

from shop.private_files import actions_token, private_file
from shop.settings import ShopSettings
from shop.store.db import database_url

ROOT = Path(__file__).resolve().parent.parent


TRACKER_STORE_TYPE = "bot.tracker_store.CountFreeSQLTrackerStore"
REDIS_URL_ENV = "SHOP_REDIS_URL"
LOCK_STORE_TYPE = "bot.lock_store.AtomicRedisLockStore"
LOCK_KEY_PREFIX = "bijou"


def tracker_store(url_text: str) -> dict[str, object]:
    """Rasa's tracker-store settings for a database URL (Rasa reads the host in ``url``)."""
    url = make_url(url_text)
    if url.get_backend_name() == "sqlite":
        return {"type": TRACKER_STORE_TYPE, "dialect": "sqlite", "db": url.database}
    store: dict[str, object] = {
        "type": TRACKER_STORE_TYPE,
        "dialect": url.drivername,
        "url": url.host,
        "db": url.database,
        "username": url.username,
        "password": url.password,
    }
    if url.port:
        store["port"] = url.port
    return store


def lock_store(url_text: str) -> dict[str, object]:
    """Rasa's Redis lock-store settings for ``redis://[:password@]host[:port][/db]``."""
    url = make_url(url_text)
    if url.drivername not in ("redis", "rediss"):
        raise ValueError(f"{REDIS_URL_ENV} must be a redis:// URL, not {url.drivername}://")
    store: dict[str, object] = {
        "type": LOCK_STORE_TYPE,
        "url": url.host or "localhost",
        "port": url.port or 6379,
        "db": int(url.database or 0),
        "key_prefix": LOCK_KEY_PREFIX,
        "use_ssl": url.drivername == "rediss",
    }
    if url.username:
        store["username"] = url.username
    if url.password:
        store["password"] = url.password
    return store


def endpoints(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """Rasa's endpoints from the product's settings in ``environ`` (default: this process's
    environment; the tests' servers pass theirs)."""
    settings = ShopSettings.from_environ(environ)
    endpoints: dict[str, object] = {
        "action_endpoint": {
            "url": f"http://{settings.actions_host}:{settings.actions_port}/webhook",
            "token": actions_token(environ),
            "enable_selective_domain": True,
        },
        "tracker_store": tracker_store(database_url(settings)),
    }
    if settings.redis_url.strip():
        endpoints["lock_store"] = lock_store(settings.redis_url.strip())
    return endpoints


def main() -> None:
    target = ROOT / ".var" / "endpoints.yml"
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_file(target).write_text(yaml.safe_dump(endpoints(), sort_keys=False))


if __name__ == "__main__":
    main()

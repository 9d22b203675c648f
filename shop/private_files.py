"""Files that hold personal data or secrets are readable by their owner only.

The database, the logs, the spool of tickets and the tokens live under ``.var/``; on a shared
machine any local user could read them if they kept the usual 0644/0755 modes. Files are
created 0600 and folders 0700, and a file found more open is closed when it is next used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from shop.settings import ShopSettings

VAR_DIR = Path(__file__).resolve().parents[1] / ".var"
ACTIONS_TOKEN_FILE = "actions_token"


def _restrict(path: Path, mode: int) -> None:
    """Remove the group's and others' permissions from ``path`` (left alone if already so)."""
    current = stat.S_IMODE(path.stat().st_mode)
    if current & 0o077:
        os.chmod(path, current & ~0o077 & mode)


def close_to_others(path: Path) -> None:
    """Remove the group's and others' permissions from ``path`` if it exists."""
    with contextlib.suppress(FileNotFoundError):
        _restrict(path, 0o700 if path.is_dir() else 0o600)


def private_dir(path: Path) -> Path:
    """``path``, created 0700 when missing; an existing folder is left as it is (it may be a
    shared one such as /tmp; scripts/env.sh closes ``.var`` itself)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read (created empty, 0600, when missing)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        _restrict(path, 0o600)
    return path


def secret_file(path: Path) -> str:
    """The secret kept in ``path``, created once (random, 0600). The file appears whole (written
    aside, then linked), and when two processes start together the first link wins."""
    if not path.exists():
        private_dir(path.parent)
        aside = private_file(path.with_name(f".{path.name}.{secrets.token_hex(8)}"))
        try:
            aside.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
        finally:
            aside.unlink()
    _restrict(path, 0o600)
    secret = path.read_text(encoding="utf-8").strip()
    if not secret:  # an empty secret would match an empty one sent by anybody
        raise RuntimeError(f"{path} is empty: delete it and a new secret is generated")
    return secret


def actions_token(environ: Mapping[str, str] | None = None, var_dir: Path = VAR_DIR) -> str:
    """The token the Rasa server gives the action server: ``ACTIONS_TOKEN``, else the one
    generated once into ``.var/actions_token``. ``environ``: an explicit environment instead
    of the process's settings."""
    settings = ShopSettings.from_environ(environ)
    if settings.actions_token is not None:
        return settings.actions_token.get_secret_value()
    return secret_file(var_dir / ACTIONS_TOKEN_FILE)

"""Create a console agent, or set a new password: ``python -m desk.create_agent USERNAME``.

The password is asked twice on the terminal (never echoed), or read from standard input with
``--password-stdin`` for scripts; it is stored only as a salted scrypt hash. A new password
(``--reset``) ends every console session the agent has open.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Sequence

from desk.bootstrap import prepare_database
from desk.security import MIN_PASSWORD_LENGTH, hash_password
from desk.settings import Settings
from shop.clock import clock_from_env
from shop.store import conversation_repository as repo
from shop.store.db import make_engine, make_session_factory, session_scope


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (encore) : ")
    if first != second:
        raise SystemExit("error: the two passwords differ")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desk.create_agent", description=__doc__)
    parser.add_argument("username")
    parser.add_argument("--display-name", default="", help="name shown to shoppers")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument(
        "--reset", action="store_true", help="set a new password for an existing agent"
    )
    args = parser.parse_args(argv)
    password = read_password(args.password_stdin)
    if len(password) < MIN_PASSWORD_LENGTH:
        print(
            f"error: the password needs {MIN_PASSWORD_LENGTH} characters at least", file=sys.stderr
        )
        return 2
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    prepare_database(engine)
    try:
        with session_scope(make_session_factory(engine)) as session:
            agent = repo.find_agent(session, args.username)
            if agent is not None and not args.reset:
                print(f"error: agent {agent.username!r} exists (use --reset)", file=sys.stderr)
                return 1
            if agent is not None:
                ended = repo.set_agent_password(
                    session, agent, hash_password(password), clock_from_env().now()
                )
                print(
                    f"password of agent {agent.username!r} changed; "
                    f"{ended} console session(s) ended"
                )
            else:
                agent = repo.create_agent(
                    session,
                    args.username,
                    hash_password(password),
                    args.display_name or args.username,
                    clock_from_env().now(),
                )
                print(f"agent {agent.username!r} created")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

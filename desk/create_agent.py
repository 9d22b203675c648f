"""Create a console account, set a new password or change a role:
``python -m desk.create_agent USERNAME [--role agent|editor|admin]``.

The password is asked twice on the terminal (never echoed), or read from standard input with
``--password-stdin`` for scripts; it is stored only as a salted scrypt hash. A new account is an
``agent`` unless ``--role`` says otherwise. A new password (``--reset``) ends every console
session the account has open. ``--set-role ROLE`` changes an existing account's role and
nothing else (no password asked): it is how the first administrator of a database made before
roles is named (``python -m desk.create_agent agent --set-role admin``); the last administrator
cannot lose that role. Accounts made before roles existed read as ``agent``.
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
from shop.store.console_accounts import LastAdmin, set_role
from shop.store.conversations import Role
from shop.store.db import make_engine, make_session_factory, session_scope

ROLES = [role.value for role in Role]


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Mot de passe : ")
    second = getpass.getpass("Mot de passe (encore) : ")
    if first != second:
        raise SystemExit("error: the two passwords differ")
    return first


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m desk.create_agent", description=__doc__)
    parser.add_argument("username")
    parser.add_argument("--display-name", default="", help="name shown to shoppers")
    parser.add_argument("--password-stdin", action="store_true")
    parser.add_argument("--role", choices=ROLES, help="role of a new account (default: agent)")
    what = parser.add_mutually_exclusive_group()
    what.add_argument(
        "--reset", action="store_true", help="set a new password for an existing account"
    )
    what.add_argument("--set-role", choices=ROLES, help="change an existing account's role")
    args = parser.parse_args(argv)
    if args.role and (args.reset or args.set_role):
        parser.error("--role is for a new account; use --set-role to change an existing one")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    password = "" if args.set_role else read_password(args.password_stdin)
    if not args.set_role and len(password) < MIN_PASSWORD_LENGTH:
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
            if agent is None and (args.reset or args.set_role):
                print(f"error: no account {args.username!r}", file=sys.stderr)
                return 1
            if agent is not None and args.set_role:
                try:
                    set_role(session, agent, Role(args.set_role))
                except LastAdmin:
                    print(
                        f"error: {agent.username!r} is the last admin; make another one first",
                        file=sys.stderr,
                    )
                    return 1
                print(f"account {agent.username!r} is now {args.set_role}")
            elif agent is not None and not args.reset:
                print(f"error: account {agent.username!r} exists (use --reset)", file=sys.stderr)
                return 1
            elif agent is not None:
                ended = repo.set_agent_password(
                    session, agent, hash_password(password), clock_from_env().now()
                )
                print(
                    f"password of account {agent.username!r} changed; "
                    f"{ended} console session(s) ended"
                )
            else:
                role = Role(args.role or Role.AGENT.value)
                agent = repo.create_agent(
                    session,
                    args.username,
                    hash_password(password),
                    args.display_name or args.username,
                    clock_from_env().now(),
                    role=role,
                )
                print(f"account {agent.username!r} created ({role.value})")
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

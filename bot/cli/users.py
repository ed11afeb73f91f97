"""`govinfo-bot users add|list|remove`: the web console's accounts (README, "The web console")."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from bot import texts
from bot.cli.common import actor, with_store
from bot.settings import Settings
from bot.storage import Store
from scoring.errors import DomainError
from scoring.text import clean_text


def declare(parser: argparse.ArgumentParser) -> None:
    users = parser.add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help=texts.USERS_ADD_HELP)
    add.add_argument("name", metavar="用户名")
    add.add_argument(
        "--role", required=True, choices=("admin", "viewer"), help=texts.USERS_ROLE_HELP
    )
    add.add_argument("--password-file", help=texts.USERS_PASSWORD_FILE_HELP)
    users.add_parser("list", help=texts.USERS_LIST_HELP)
    users.add_parser("remove", help=texts.USERS_REMOVE_HELP).add_argument("name", metavar="用户名")


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of --password-file, or typed twice without echo."""
    if args.password_file:
        lines = Path(args.password_file).read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    first = getpass.getpass(texts.USERS_PASSWORD)
    if getpass.getpass(texts.USERS_PASSWORD_AGAIN) != first:
        raise DomainError("web_password_mismatch")
    return first


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.usecases import webusers

    now = settings.now()

    async def users(store: Store) -> int:
        match args.users_command:
            case "add":
                password = _password(args)
                passwords = webusers.Passwords(
                    settings.web_password_time_cost, settings.web_password_memory_kib
                )
                new = await webusers.put_user(
                    store, args.name, args.role, password, actor(), now, passwords
                )
                done = texts.USERS_ADDED if new else texts.USERS_CHANGED
                print(done.format(name=clean_text(args.name), role=texts.USERS_ROLES[args.role]))
            case "remove":
                removed = await webusers.remove_user(store, args.name, actor(), now)
                print(texts.USERS_REMOVED.format(name=removed.name))
            case _:
                accounts = await webusers.users(store)
                for user in accounts:
                    print(
                        texts.USERS_LINE.format(
                            name=user.name, role=texts.USERS_ROLES[user.role],
                            at=user.created_at.strftime("%Y-%m-%d %H:%M"),
                            by=texts.actor_display(user.created_by),
                        )
                    )  # fmt: skip
                if not accounts:
                    print(texts.USERS_NONE)
        return 0

    return with_store(settings, users)

"""Command line: `python -m server serve|worker|create-admin|export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys

from server.settings import get_settings


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        log_config=None,
        access_log=False,
    )


async def _create_admin(email: str, password: str) -> int:
    from server.accounts import services
    from server.accounts.errors import AccountsError
    from server.db import close_db, init_db

    await init_db()
    try:
        user = await services.create_admin(email=email, password=password)
    except AccountsError as exc:
        print(f"error: {exc.code}: {exc.message}", file=sys.stderr)
        return 1
    finally:
        await close_db()
    print(f"admin {user.email} ({user.id}) is ready")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    admin = sub.add_parser("create-admin", help="create an ADMIN account (or promote one)")
    admin.add_argument("email")
    admin.add_argument("--password", help="read from stdin or a prompt when omitted")
    sub.add_parser("export-schema", help="print the GraphQL SDL")
    sub.add_parser("worker", help="run the arq worker (needs REDIS_URL)")
    sub.add_parser("migrate", help="apply pending migrations to DATABASE_URL")
    make = sub.add_parser("makemigrations", help="generate the next migration for a dialect")
    make.add_argument("name")
    make.add_argument("--database-url", required=True, help="a scratch database of that dialect")
    args = parser.parse_args(argv)

    if args.command == "serve":
        _serve(args)
        return 0
    if args.command == "create-admin":
        password = args.password
        if password is None:
            password = (
                getpass.getpass("Password: ")
                if sys.stdin.isatty()
                else sys.stdin.readline().rstrip("\n")
            )
        return asyncio.run(_create_admin(args.email, password))
    if args.command == "migrate":
        from server.db import apply_migrations

        applied = asyncio.run(apply_migrations())
        print(
            f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else "")
        )
        return 0
    if args.command == "makemigrations":
        from server.db import make_migration

        print(asyncio.run(make_migration(args.database_url, args.name)) or "no changes")
        return 0
    if args.command == "export-schema":
        from schema import schema

        print(schema.as_str())
        return 0
    if args.command == "worker":
        from jobs.worker import run_worker

        if not get_settings().redis_url:
            print(
                "error: REDIS_URL is not set; without it jobs run inside the API process",
                file=sys.stderr,
            )
            return 2
        run_worker()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())

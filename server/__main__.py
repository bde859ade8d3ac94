"""Command line: `python -m server serve|worker|migrate|create-admin|export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pydantic import ValidationError

from server.settings import get_settings


def _settings_errors() -> list[str]:
    """Why the settings are refused (e.g. a placeholder SECRET_KEY in production), if they are:
    every command checks them first, so a bad deployment stops with one clear line."""
    try:
        get_settings()
    except ValidationError as exc:
        return [
            (f"{'.'.join(map(str, error['loc'])).upper()}: " if error["loc"] else "")
            + error["msg"].removeprefix("Value error, ")
            for error in exc.errors()
        ]
    return []


def _metrics_dir(workers: int) -> str | None:
    """prometheus_client's multiprocess folder for several uvicorn processes, so that /metrics
    answers for all of them (each process has its own registry otherwise). A folder we create is
    ours to remove; a configured one is emptied, as prometheus_client requires between runs.
    prometheus_client reads PROMETHEUS_MULTIPROC_DIR itself when imported, in each process: it is
    exported to the environment the uvicorn processes inherit."""
    configured = get_settings().prometheus_multiproc_dir
    if configured:
        folder = Path(configured)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = configured
        return None
    if workers <= 1:
        return None
    created = tempfile.mkdtemp(prefix="scanbase-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = created
    return created


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    created = _metrics_dir(args.workers)
    try:
        uvicorn.run(
            "server.app:create_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            loop="uvloop",
            http="httptools",
            # X-Forwarded-For is read by server/http.py from TRUSTED_PROXIES only.
            proxy_headers=False,
            log_config=None,
            access_log=False,
        )
    finally:
        if created:
            shutil.rmtree(created, ignore_errors=True)


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

    if args.command != "export-schema" and (problems := _settings_errors()):
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
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

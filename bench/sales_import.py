"""Sales import benchmark: `python -m bench.sales_import [--rows 1000000] [--database-url URL]`.

Generates a long CSV (`date,sku,quantity,unit_price,store,invoice`: `--skus` SKUs over
`--years` years, every row distinct) in a temporary folder, then imports it through the same
code the job runs (`server.companies.sales_import_job.import_file`, in this process) and prints
rows/s, the peak RSS growth of the process during the import (sampled from /proc every
20 ms; psutil when installed), and the CPU seconds the import took in this process and, on a
PostgreSQL server on this machine, in its backends (less sensitive to a loaded machine than
rows/s). The database is a fresh SQLite file unless `--database-url`
names a PostgreSQL server: a scratch database is created there, migrated, and dropped after.
Targets (issue 13): >= 50,000 rows/s on PostgreSQL, RSS growth <= 150 MB. Never a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def rss_bytes() -> int:
    """This process's resident set size now."""
    try:
        import psutil  # type: ignore[import-not-found]

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        pass
    try:
        with open("/proc/self/statm") as stat:
            return int(stat.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def process_cpu_seconds() -> float:
    """CPU seconds (user + system) of this process so far, all threads."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def pids_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds of each process still there (from /proc: a server on this machine)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


async def backend_cpu_seconds() -> dict[int, float]:
    """CPU seconds of the database's backends (PostgreSQL on this machine; {} otherwise)."""
    from tortoise import connections

    conn = connections.get("default")
    if conn.capabilities.dialect != "postgres":
        return {}
    rows = await conn.execute_query_dict(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    return pids_cpu_seconds([row["pid"] for row in rows])


class PeakRss:
    """Samples RSS in a thread; `growth` is the peak minus the RSS at start."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval, self.start, self.peak = interval, rss_bytes(), 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak = self.start
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth(self) -> int:
        return self.peak - self.start


def generate(path: Path, *, rows: int, skus: int, years: int) -> int:
    """Write the CSV; returns its size in bytes."""
    start = date(2021, 1, 1)
    days = 365 * years
    stores = ["Paris", "Lyon", "Lille", "Nantes"]
    with path.open("w", newline="") as out:
        out.write("date,sku,quantity,unit_price,store,invoice\n")
        chunk: list[str] = []
        for n in range(rows):
            day = start + timedelta(days=(n * 7919) % days)
            chunk.append(
                f"{day.isoformat()},SKU-{n % skus:04d},{1 + n % 9},{(n % 50) + 0.99:.2f},"
                f"{stores[n % 4]},INV{n}\n"
            )
            if len(chunk) >= 10_000:
                out.write("".join(chunk))
                chunk.clear()
        out.write("".join(chunk))
    return path.stat().st_size


def _admin_dsn(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path or "/postgres", "", ""))


async def scratch_database(url: str, folder: Path) -> tuple[str, str | None]:
    """(the database URL to use, the PostgreSQL database to drop after, if any)."""
    if not url:
        return f"sqlite://{folder / 'bench.sqlite3'}", None
    import asyncpg

    name = f"scanbase_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(_admin_dsn(url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    parts = urlsplit(url)
    return urlunsplit(("asyncpg", parts.netloc, f"/{name}", parts.query, "")), name


async def drop_database(url: str, name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_admin_dsn(url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-sales-") as scratch:
        folder = Path(scratch)
        csv_path = folder / "sales.csv"
        began = time.perf_counter()
        size = generate(csv_path, rows=args.rows, skus=args.skus, years=args.years)
        print(
            f"bench.sales_import: generated {args.rows:,} rows, {size / 1e6:.1f} MB in "
            f"{time.perf_counter() - began:.1f} s",
            flush=True,
        )
        database_url, dropped = await scratch_database(args.database_url, folder)
        try:
            return await _import(args, csv_path, size, database_url)
        finally:
            if dropped is not None:
                await drop_database(args.database_url, dropped)


async def _import(
    args: argparse.Namespace, csv_path: Path, size: int, database_url: str
) -> dict[str, Any]:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server", "migrate"], cwd=ROOT, env=env, capture_output=True,
        text=True, check=False,
    )  # fmt: skip
    if done.returncode:
        raise SystemExit(done.stderr)
    os.environ["DATABASE_URL"] = database_url
    if args.batch:
        os.environ["SALES_IMPORT_BATCH_ROWS"] = str(args.batch)
    from server.settings import get_settings

    get_settings.cache_clear()
    from server.accounts import services as accounts
    from server.companies import sales_import_job as service
    from server.companies.memberships import create_company
    from server.companies.models import Sale, SalesImport
    from server.companies.sales_mapping import ImportOptions, SalesMapping, UnknownSkus
    from server.db import close_db, init_db

    await init_db(database_url)
    try:
        user = await accounts.signup(email=f"bench-{secrets.token_hex(4)}@example.com",
                                     password="bench-password-123")  # fmt: skip
        company = await create_company(
            creator=user, name="Bench", currency="EUR", timezone="Europe/Paris", country="FR"
        )
        mapping = SalesMapping(date="date", sku="sku", quantity="quantity",
                               unit_price="unit_price", store="store", external_id="invoice")  # fmt: skip
        options = ImportOptions(unknown_skus=UnknownSkus.CREATE)
        row = await SalesImport.create(
            company=company, filename="sales.csv", sha256="0" * 64,
            mapping=mapping.as_dict(), options=options.as_dict(),
        )  # fmt: skip
        messages: list[str] = []

        async def report(progress: float, stage: str, message: str | None = None) -> None:
            if message:
                messages.append(message)
                if args.verbose:
                    print(f"  {progress:5.1%} {message}", flush=True)

        backends_before = await backend_cpu_seconds()
        with PeakRss() as memory:
            began, cpu_began = time.perf_counter(), process_cpu_seconds()
            counts = await service.import_file(
                path=csv_path, sales_import=row, company=company, report=report
            )
            seconds = time.perf_counter() - began
            cpu_seconds = process_cpu_seconds() - cpu_began
        backends_after = await backend_cpu_seconds()
        database_cpu = sum(
            cpu - backends_before.get(pid, 0.0) for pid, cpu in backends_after.items()
        )
        stored = await Sale.filter(company_id=company.id).count()
    finally:
        await close_db()
    backend = "postgresql" if database_url.startswith(("asyncpg", "postgres")) else "sqlite"
    result = {
        "backend": backend,
        "rows": args.rows,
        "file_mb": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "rows_per_second": round(args.rows / seconds),
        "rss_growth_mb": round(memory.growth / 1e6, 1),
        "python_cpu_seconds": round(cpu_seconds, 2),
        "database_cpu_seconds": round(database_cpu, 2) if backends_after else None,
        "imported": counts.imported,
        "skipped": counts.skipped,
        "failed": counts.failed,
        "products_created": counts.created,
        "stored": stored,
        "last_progress": messages[-1] if messages else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    print(
        f"bench.sales_import [{backend}]: {args.rows:,} rows in {seconds:.1f} s = "
        f"{result['rows_per_second']:,} rows/s; peak RSS growth {result['rss_growth_mb']} MB; "
        f"CPU s: Python {cpu_seconds:.1f}, database {result['database_cpu_seconds']}; "
        f"imported {counts.imported:,}, skipped {counts.skipped:,}, failed {counts.failed:,}, "
        f"products created {counts.created}; load average {result['load_average']}",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--batch", type=int, default=0, help="rows per batch (default: setting)")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL server (asyncpg://...); default SQLite"
    )
    parser.add_argument("--json", default="", help="write the figures to this file")
    parser.add_argument("--verbose", action="store_true", help="print progress messages")
    args = parser.parse_args(argv)
    result = asyncio.run(run(args))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()

"""Prometheus metrics: GraphQL operations by name and outcome, latency, HTTP requests by status.

Operation names come from clients, so they are sanitised and capped in number to keep the
label set bounded.

One registry per process: with several uvicorn processes (`serve --workers N`),
PROMETHEUS_MULTIPROC_DIR makes prometheus_client write every value to a file in that folder, and
`render` sums the files of all processes, so any process answers for the whole API. The worker
serves the same registry on WORKER_METRICS_PORT (jobs/worker.py).
"""

from __future__ import annotations

import re
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from server.settings import get_settings

registry = CollectorRegistry()

GRAPHQL_REQUESTS = Counter(
    "scanbase_graphql_requests",
    "GraphQL operations executed, by operation name, type and outcome (ok or error).",
    ["operation", "type", "outcome"],
    registry=registry,
)
GRAPHQL_LATENCY = Histogram(
    "scanbase_graphql_duration_seconds",
    "GraphQL operation latency in seconds, by operation name.",
    ["operation"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=registry,
)
HTTP_REQUESTS = Counter(
    "scanbase_http_requests",
    "HTTP requests by route and status code.",
    ["route", "status"],
    registry=registry,
)
JOBS = Counter(
    "scanbase_jobs",
    "Jobs finished, by kind and final status.",
    ["kind", "status"],
    registry=registry,
)

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_NAMES = 200
_seen_names: set[str] = set()


def operation_label(name: str | None) -> str:
    if not name:
        return "anonymous"
    if not _NAME_RE.match(name):
        return "invalid"
    if name not in _seen_names:
        if len(_seen_names) >= _MAX_NAMES:
            return "other"
        _seen_names.add(name)
    return name


_children: dict[tuple[int, tuple[str, ...]], Any] = {}


def labelled(metric: Any, *values: str) -> Any:
    """`metric.labels(*values)`, cached: prometheus_client validates and locks on every
    `labels()` call, a measurable share of a trivial request. Label values are bounded (see
    operation_label), so the cache is too."""
    key = (id(metric), values)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*values)
    return child


def render() -> bytes:
    folder = get_settings().prometheus_multiproc_dir
    if not folder:
        return generate_latest(registry)
    from prometheus_client import multiprocess

    every_process = CollectorRegistry()
    multiprocess.MultiProcessCollector(every_process, path=folder)
    return generate_latest(every_process)

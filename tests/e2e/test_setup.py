"""Plain `make test` runs the end-to-end tests: its setup installs node's packages, Chromium and
redis-server, the tests start a Redis of their own when TEST_REDIS_URL is unset, and with CI=true
a missing tool fails the run instead of skipping the tests."""

from __future__ import annotations

import re
import subprocess

import pytest
import redis

from tests.conftest import REPO_ROOT
from tests.e2e import conftest as e2e


def test_the_e2e_tests_always_have_a_redis(e2e_redis_url):
    assert redis.Redis.from_url(e2e_redis_url, socket_connect_timeout=2).ping() is True


def test_a_missing_tool_skips_but_fails_in_ci(monkeypatch):
    monkeypatch.setattr(e2e, "IN_CI", False)
    with pytest.raises(pytest.skip.Exception):
        e2e.missing("no chromium")
    monkeypatch.setattr(e2e, "IN_CI", True)
    with pytest.raises(pytest.fail.Exception, match="CI=true: no chromium"):
        e2e.missing("no chromium")


def test_make_test_sets_up_node_chromium_and_redis():
    # `make -pn` prints make's rules and variables without running anything
    database = subprocess.run(
        ["make", "--no-print-directory", "-pn", "setup"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    rules = dict(re.findall(r"^([\w./-]+):(?!=) *(.*)$", database, re.M))
    assert "setup" in rules["test"].split()
    assert {"system-deps", "e2e-deps"} <= set(rules["setup"].split())
    assert "tests/e2e/node_modules/.installed" in rules["e2e-deps"].split()
    assert "tests/e2e/package-lock.json" in rules["tests/e2e/node_modules/.installed"].split()
    declared = re.search(r"^APT_PACKAGES :?= (.*)$", database, re.M)
    assert declared is not None
    packages = declared.group(1).split()
    assert {"chromium", "redis-server"} <= set(packages)
    manifest = (REPO_ROOT / "tests" / "e2e" / "package.json").read_text()
    assert '"playwright-core"' in manifest and '"graphql-ws"' in manifest

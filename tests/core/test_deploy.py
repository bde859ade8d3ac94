"""The production compose file parses and describes the whole deployment."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO_ROOT

SERVICES = {"postgres", "redis", "mongo", "minio", "api", "worker"}


def test_compose_file_has_every_service_with_a_healthcheck():
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    assert set(compose["services"]) >= SERVICES
    for name in SERVICES:
        assert "healthcheck" in compose["services"][name], name
    assert compose["services"]["worker"]["command"] == ["python", "-m", "server", "worker"]
    assert "tesseract-ocr-fra" in (REPO_ROOT / "Dockerfile").read_text()


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def test_compose_config_accepts_the_file():
    command = _compose_command()
    if command is None:
        pytest.skip(
            "neither `docker compose` nor `docker-compose` is installed: config not validated"
        )
    done = subprocess.run(
        [*command, "-f", str(REPO_ROOT / "docker-compose.yml"), "config", "-q"],
        env={**os.environ, "SECRET_KEY": "x" * 40},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr

"""The production deployment: the compose file (nginx in front of the API replicas, migrations run
once, secrets only from deploy/compose.env), the nginx config, and production mode refusing the
placeholder secrets that ship with the repository."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from server.settings import Settings
from tests.conftest import REPO_ROOT

SERVICES = {"postgres", "redis", "minio", "api", "worker", "proxy"}
COMPOSE_ENV = REPO_ROOT / "deploy" / "compose.env.example"
NGINX_CONF = REPO_ROOT / "deploy" / "nginx.conf"
# Variables a developer's shell or tests may hold: compose must take them from its env file.
COMPOSE_VARIABLES = (
    "SECRET_KEY",
    "POSTGRES_PASSWORD",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
    "CORS_ORIGINS",
    "API_WORKERS",
    "JOB_CONCURRENCY",
    "HTTP_PORT",
    "GRAPHIQL",
    "INTROSPECTION",
)


def _compose() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


def _env_file_value(path: Path, name: str) -> str:
    match = re.search(rf"^{name}=(\S*)", path.read_text(), re.MULTILINE)
    assert match, f"{name} not in {path}"
    return match.group(1)


def test_compose_file_has_every_service_with_a_healthcheck():
    compose = _compose()
    assert set(compose["services"]) >= SERVICES
    for name in SERVICES:
        assert "healthcheck" in compose["services"][name], name
    assert compose["services"]["worker"]["command"] == ["python", "-m", "server", "worker"]
    assert "tesseract-ocr-fra" in (REPO_ROOT / "Dockerfile").read_text()


def test_migrations_run_once_before_any_api_or_worker_starts():
    services = _compose()["services"]
    assert services["migrate"]["command"] == ["python", "-m", "server", "migrate"]
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    # the image no longer migrates when a replica starts
    cmd = next(
        line
        for line in (REPO_ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("CMD")
    )
    assert "migrate" not in cmd


def test_nginx_is_the_one_entry_point_and_passes_websockets():
    services = _compose()["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["api"] == {"condition": "service_healthy"}
    assert proxy["ports"] == ["${HTTP_PORT:-8000}:8080"]
    # the replicas publish no host port: `--scale api=3` would need three
    assert "ports" not in services["api"]
    conf = NGINX_CONF.read_text()
    assert "proxy_set_header Upgrade $http_upgrade;" in conf
    assert "proxy_set_header Connection $connection_upgrade;" in conf
    assert "proxy_http_version 1.1;" in conf
    assert re.search(r"proxy_read_timeout\s+1h;", conf)
    assert "set $api http://api:8000;" in conf


def test_compose_takes_no_setting_from_the_local_dotenv():
    text = (REPO_ROOT / "docker-compose.yml").read_text()
    env = _compose()["x-app-env"]
    # required, so compose stops instead of using `.env` (which `make setup` writes)
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    # fixed, not interpolated: `.env` turns both on for local runs
    assert (env["GRAPHIQL"], env["INTROSPECTION"], env["ENVIRONMENT"]) == (
        "false",
        "false",
        "production",
    )
    # the settings have no MONGO_URL: it was silently ignored
    assert "MONGO_URL" not in text
    assert env["STORAGE_URL"].startswith("s3://")
    assert "deploy/compose.env" in (REPO_ROOT / ".gitignore").read_text()


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in COMPOSE_VARIABLES}


def _copy_deployment(to: Path) -> Path:
    shutil.copy(REPO_ROOT / "docker-compose.yml", to / "docker-compose.yml")
    shutil.copytree(REPO_ROOT / "deploy", to / "deploy")
    # what `make setup` leaves beside the compose file for local runs
    shutil.copy(REPO_ROOT / ".env.example", to / ".env")
    return to / "docker-compose.yml"


def test_compose_config_reads_its_env_file_and_not_dotenv(tmp_path: Path):
    command = _compose_command()
    if command is None:
        pytest.skip(
            "neither `docker compose` nor `docker-compose` is installed: config not validated"
        )
    compose_file = _copy_deployment(tmp_path)
    # when: with the deployment's env file
    done = subprocess.run(
        [*command, "--env-file", str(COMPOSE_ENV), "-f", str(compose_file), "config"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    api = services["api"]["environment"]
    # then: values come from deploy/compose.env.example, none from `.env`
    assert api["SECRET_KEY"] == _env_file_value(COMPOSE_ENV, "SECRET_KEY")
    assert api["SECRET_KEY"] != _env_file_value(tmp_path / ".env", "SECRET_KEY")
    assert api["GRAPHIQL"] == "false" and api["INTROSPECTION"] == "false"
    assert api["ENVIRONMENT"] == "production"
    assert services["worker"]["environment"]["WORKER_METRICS_PORT"] == "9100"
    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    # when: --env-file forgotten, with only the local `.env` beside the file
    forgotten = subprocess.run(
        [*command, "-f", str(compose_file), "config"],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then: compose stops and says what to do
    assert forgotten.returncode != 0
    assert "--env-file deploy/compose.env" in forgotten.stderr


def test_nginx_accepts_its_config(tmp_path: Path):
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install nginx): its config is not checked")
    done = subprocess.run(
        [nginx, "-t", "-c", str(NGINX_CONF), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def _shipped_placeholders() -> list[str]:
    return [
        Settings.model_fields["secret_key"].default,
        _env_file_value(REPO_ROOT / ".env.example", "SECRET_KEY"),
        _env_file_value(COMPOSE_ENV, "SECRET_KEY"),
    ]


def test_production_refuses_every_placeholder_secret_the_repository_ships():
    for placeholder in _shipped_placeholders():
        with pytest.raises(ValidationError, match="refuses the placeholder SECRET_KEY"):
            Settings(environment="production", secret_key=placeholder)
        # development (and tests) still start with it
        assert Settings(environment="development", secret_key=placeholder).secret_key
    real = secrets.token_hex(32)
    assert Settings(environment="production", secret_key=real).secret_key == real


@pytest.mark.parametrize("command", ["migrate", "worker", "serve"])
def test_commands_stop_with_one_clear_line_on_a_placeholder_secret_in_production(command: str):
    done = subprocess.run(
        [sys.executable, "-m", "server", command],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "ENVIRONMENT": "production",
            "SECRET_KEY": _env_file_value(REPO_ROOT / ".env.example", "SECRET_KEY"),
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(
        "error: ENVIRONMENT=production refuses the placeholder SECRET_KEY"
    )
    assert "Traceback" not in done.stderr


def test_a_local_storage_folder_with_several_processes_is_warned_about():
    local = Settings(redis_url="redis://redis:6379/0", storage_url="file:var/blobs")
    shared = Settings(redis_url="redis://redis:6379/0", storage_url="s3://bucket/blobs")
    single = Settings(redis_url=None, storage_url="file:var/blobs")
    assert [w.split(":")[0] for w in local.deployment_warnings()] == [
        "REDIS_URL is set (API and workers in several processes) but STORAGE_URL is a local folder"
    ]
    assert shared.deployment_warnings() == []
    assert single.deployment_warnings() == []


# pydantic-settings' init-only `_env_file` (unknown to type checkers): ignore any .env here.
NO_ENV_FILE: dict[str, Any] = {"_env_file": None}


def test_production_turns_graphiql_and_introspection_off_unless_set():
    real = "r" * 40
    quiet = Settings(**NO_ENV_FILE, environment="production", secret_key=real)
    assert (quiet.graphiql, quiet.introspection) == (False, False)
    chosen = Settings(
        **NO_ENV_FILE, environment="production", secret_key=real, graphiql=True, introspection=True
    )
    assert (chosen.graphiql, chosen.introspection) == (True, True)
    development = Settings(**NO_ENV_FILE, environment="development", secret_key=real)
    assert (development.graphiql, development.introspection) == (True, True)

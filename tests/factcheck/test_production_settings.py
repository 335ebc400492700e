"""The production shape: settings that refuse to start half-configured, a clean
``check --deploy``, the build-only mode the Docker image uses for ``collectstatic``,
WSGI/ASGI defaulting to production, ``ensure_admin`` refusing the demo password,
``/django-admin/`` off, and ``/healthz``.

Settings are module-level code, so each configuration is imported in a subprocess with
an environment built from nothing (the developer's own variables never leak in).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = "factcheck.settings.production"
# A full production environment; nothing here is contacted by an import or by `check`.
FULL_ENV = {
    "DJANGO_SETTINGS_MODULE": PRODUCTION,
    "SECRET_KEY": "x7Kq2pL9vR4mT8wZ1nB6cY3hJ5dF0gS-aE_uI2oP7lK9jH4gF6dS1aQ3wE5rT8yU",
    "ALLOWED_HOSTS": "factcheck.example",
    "DATABASE_URL": "postgres://factcheck:factcheck@127.0.0.1:5432/factcheck",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "FACTCHECK_SEARCH_BACKEND": "elasticsearch",
    "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
}
SHOW_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "module": settings.SETTINGS_MODULE,
    "db": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "tasks": settings.TASKS["default"]["BACKEND"],
    "rq": getattr(settings, "RQ_QUEUES", {}).get("default", {}).get("URL"),
    "allowed_hosts": settings.ALLOWED_HOSTS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "static_root": str(settings.STATIC_ROOT),
    "debug": settings.DEBUG,
    "redirect_exempt": settings.SECURE_REDIRECT_EXEMPT,
}))
"""


def _env(**overrides: str | None) -> dict[str, str]:
    """A process environment with only what a production host would set."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    env["FACTCHECK_VAR_DIR"] = os.environ.get("FACTCHECK_TEST_VAR_DIR", "") or str(
        Path(os.environ.get("TMPDIR", "/tmp")) / "factcheck-prod-settings-test"
    )
    env.update(FULL_ENV)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _python(code: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings(**overrides: str | None) -> dict:
    done = _python(SHOW_SETTINGS, **overrides)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _refusal(**overrides: str | None) -> str:
    done = _python("import django; django.setup()", **overrides)
    assert done.returncode != 0, "production settings started half-configured"
    assert "ImproperlyConfigured" in done.stderr, done.stderr
    return done.stderr


# --- Refusing to start ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-only-insecure-key-change-me"}, "SECRET_KEY"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS"),
        ({"FACTCHECK_SEARCH_BACKEND": None}, "FACTCHECK_SEARCH_BACKEND"),
        ({"ELASTICSEARCH_URL": None}, "ELASTICSEARCH_URL"),
        ({"FACTCHECK_TASKS_BACKEND": "immediate"}, "FACTCHECK_TASKS_BACKEND"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_production_refuses_to_start_half_configured(overrides, named) -> None:
    stderr = _refusal(**overrides)
    assert named in stderr.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def production() -> dict:
    """The settings a full production environment gives (one subprocess per module)."""
    return _settings()


def test_production_uses_redis_for_cache_and_tasks_without_fallbacks(production) -> None:
    shown = production
    assert shown["module"] == PRODUCTION
    assert shown["db"] == "django.db.backends.postgresql"
    # Rate limits live in the cache: Redis, so they hold across gunicorn workers.
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["cache_location"] == FULL_ENV["REDIS_URL"]
    assert shown["tasks"] == "django_tasks_rq.RQBackend"
    assert shown["rq"] == FULL_ENV["REDIS_URL"]
    assert shown["allowed_hosts"] == ["factcheck.example"]
    assert shown["ssl_redirect"] is True
    assert shown["hsts"] >= 31_536_000
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["debug"] is False


def test_the_database_queue_is_a_choice_never_a_fallback() -> None:
    assert (
        _settings(FACTCHECK_TASKS_BACKEND="database")["tasks"] == "django_tasks_db.DatabaseBackend"
    )


def test_check_deploy_is_clean_with_a_full_environment() -> None:
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_flags_a_plain_http_site_unless_the_proxy_redirects() -> None:
    """SECURE_SSL_REDIRECT=false is the opt-out for a proxy that redirects itself; it
    silences exactly that warning, and turning cookies insecure is still reported."""
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_env(SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0
    report = done.stdout + done.stderr
    assert "security.W012" in report and "security.W016" in report  # insecure cookies
    assert "security.W008" not in report  # the declared proxy redirect


# --- Build-only mode (the Docker image's collectstatic) ------------------------------


def test_build_mode_imports_without_services_and_serves_nothing() -> None:
    shown = _settings(
        FACTCHECK_BUILD="1",
        SECRET_KEY=None,
        DATABASE_URL=None,
        REDIS_URL=None,
        ALLOWED_HOSTS=None,
        FACTCHECK_SEARCH_BACKEND=None,
    )
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["static_root"].endswith("static_collected")
    assert shown["db"] == "django.db.backends.dummy"  # any query fails loudly
    assert shown["allowed_hosts"] == []  # every request is refused with 400


# --- WSGI/ASGI default to production; manage.py stays on dev -------------------------


@pytest.mark.parametrize("module", ["factcheck.wsgi", "factcheck.asgi"])
def test_wsgi_and_asgi_default_to_production_settings(module) -> None:
    stderr = _refusal_import(module)
    assert "SECRET_KEY" in stderr


def _refusal_import(module: str) -> str:
    done = _python(f"import {module}", DJANGO_SETTINGS_MODULE=None, SECRET_KEY=None)
    assert done.returncode != 0, f"{module} started without production settings"
    assert "ImproperlyConfigured" in done.stderr, done.stderr
    return done.stderr


def test_manage_py_stays_on_development_settings() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; print(s.SETTINGS_MODULE)",
        ],
        cwd=ROOT,
        env=_env(DJANGO_SETTINGS_MODULE=None, SECRET_KEY=None, DATABASE_URL=None, REDIS_URL=None),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "factcheck.settings.dev"


# --- ensure_admin ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("password", [None, "", "factcheck-demo"])
def test_ensure_admin_refuses_the_demo_account_when_debug_is_off(
    settings, monkeypatch, password
) -> None:
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    monkeypatch.delenv("FACTCHECK_ADMIN_USERNAME", raising=False)
    if password is None:
        monkeypatch.delenv("FACTCHECK_ADMIN_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("FACTCHECK_ADMIN_PASSWORD", password)
    with pytest.raises(CommandError, match="FACTCHECK_ADMIN_PASSWORD"):
        call_command("ensure_admin")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_ensure_admin_with_a_real_password_creates_and_does_not_print_it(
    settings, monkeypatch, capsys
) -> None:
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    monkeypatch.setenv("FACTCHECK_ADMIN_USERNAME", "chief")
    monkeypatch.setenv("FACTCHECK_ADMIN_PASSWORD", "correct horse battery staple 42")
    call_command("ensure_admin")
    user = get_user_model().objects.get(username="chief")
    assert user.is_superuser and user.check_password("correct horse battery staple 42")
    assert "correct horse" not in capsys.readouterr().out


@pytest.mark.django_db
def test_ensure_admin_keeps_the_local_demo_account_when_debug_is_on(
    settings, monkeypatch, capsys
) -> None:
    from django.contrib.auth import get_user_model

    settings.DEBUG = True
    monkeypatch.delenv("FACTCHECK_ADMIN_USERNAME", raising=False)
    monkeypatch.delenv("FACTCHECK_ADMIN_PASSWORD", raising=False)
    call_command("ensure_admin")
    assert get_user_model().objects.get(username="admin").check_password("factcheck-demo")
    assert "factcheck-demo" in capsys.readouterr().out


# --- /django-admin/ and /healthz ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/django-admin/", "/django-admin/login/", "/django-admin/auth/user/"]
)
def test_django_admin_is_not_mounted(client, admin_user, path) -> None:
    # Unprefixed paths get the language redirect first; none ends at Django's admin.
    assert client.get(path, follow=True).status_code == 404
    client.force_login(admin_user)
    response = client.get(path, follow=True)
    assert response.status_code == 404
    assert b"Django administration" not in response.content


def test_django_admin_would_mount_once_one_of_our_models_is_registered() -> None:
    from django.contrib import admin

    from factcheck.urls import django_admin_needed
    from sources.models import Outlet

    site = admin.AdminSite(name="probe")
    assert not django_admin_needed(admin.site)  # only third-party models are there today
    site.register(Outlet)
    assert django_admin_needed(site)


@pytest.mark.django_db
def test_healthz_answers_ok_with_the_database_up(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_down(client, monkeypatch) -> None:
    from django.db import connection

    def broken(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert b"connection refused" not in response.content  # no internals to the public


@pytest.mark.django_db
def test_healthz_is_exempt_from_the_ssl_redirect(client, settings, production) -> None:
    """The container's HEALTHCHECK speaks plain HTTP to 127.0.0.1; every other page redirects."""
    settings.SECURE_SSL_REDIRECT = production["ssl_redirect"]
    settings.SECURE_REDIRECT_EXEMPT = production["redirect_exempt"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/robots.txt").status_code == 301


# --- The container's health probe ------------------------------------------------------


@pytest.mark.parametrize(
    ("allowed", "host"),
    [
        ("factcheck.example,127.0.0.1", "factcheck.example"),
        (" .example.org", "example.org"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_probe_names_the_first_allowed_host(allowed, host) -> None:
    from factcheck.healthcheck import probe_host

    assert probe_host(allowed) == host


# serialized_rollback, like every transactional test here: a plain flush re-creates the
# content types, which the next serialized test then inserts again.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_probe_exits_0_on_a_healthy_server_and_1_on_a_dead_one(live_server, monkeypatch) -> None:
    import socket

    from factcheck.healthcheck import main

    monkeypatch.setenv("ALLOWED_HOSTS", "localhost")
    assert main(["probe", f"{live_server.url}/healthz"]) == 0
    assert main(["probe", f"{live_server.url}/no-such-page"]) == 1  # a 404 is not healthy
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert main(["probe", f"http://127.0.0.1:{port}/healthz"]) == 1

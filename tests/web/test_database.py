"""The app database: whatever DATABASE_URL names (PostgreSQL in CI), migrated by `openbeat serve`."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from tests.web.conftest import ROOT

POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def test_the_tests_use_the_database_named_by_database_url(settings):
    engine = settings.DATABASES["default"]["ENGINE"]
    url = os.environ.get("DATABASE_URL", "")
    expected = "django.db.backends.postgresql" if url.startswith("postgres") else "django.db.backends.sqlite3"
    assert engine == expected


@pytest.mark.django_db
def test_orm_round_trip():
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("resident@example.org", password="not-used")
    assert list(get_user_model().objects.values_list("email", flat=True)) == ["resident@example.org"]


def _postgres_answers() -> bool:
    try:
        import psycopg

        psycopg.connect(POSTGRES, connect_timeout=3).close()
        return True
    except Exception:
        return False


@pytest.fixture
def fresh_postgres():
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") and not _postgres_answers():
        pytest.skip("PostgreSQL at 127.0.0.1:5432 does not answer (CI always has it)")
    import psycopg

    name = f"openbeat_serve_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_prepare_migrates_a_new_postgresql_database_once(fresh_postgres, tmp_path):
    # a separate process: the settings are read once per process, from the environment
    script = (
        "from openbeat.web import server\n"
        "server.configure(demo=True)\n"
        "import openbeat.web.server as s\n"
        "s._collect_static = lambda say: False\n"  # static files are not what this test is about
        "first = server.prepare()\n"
        "second = server.prepare()\n"
        "print(first.database, len(first.migrations_applied), len(second.migrations_applied))\n"
        "from django.db import connection\n"
        "with connection.cursor() as cur:\n"
        "    cur.execute('SELECT count(*) FROM django_migrations')\n"
        "    print(cur.fetchone()[0])\n"
    )
    env = {**os.environ, "DATABASE_URL": fresh_postgres, "OPENBEAT_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "openbeat.web.settings"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    line1, line2 = result.stdout.split("\n")[:2]
    engine, name, applied, again = line1.split()
    assert (engine, name, again) == ("postgresql", fresh_postgres.rsplit("/", 1)[1], "0")
    assert int(applied) >= 10 and int(line2) == int(applied)


@pytest.mark.django_db
def test_on_postgresql_a_statement_sent_five_times_on_a_connection_is_prepared_once():
    from django.db import connection

    from openbeat.accounts.models import User

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (DATABASE_URL names SQLite)")
    User.objects.create_user("resident@example.org", password="not-used")

    def prepared() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s",
                           ['%"accounts_user"%'])
            return [row[0] for row in cursor.fetchall()]

    assert prepared() == []
    for _ in range(4):
        assert User.objects.get(email="resident@example.org").email == "resident@example.org"
    assert prepared() == []  # four times: still parsed and planned on every call
    for _ in range(3):
        assert User.objects.get(email="resident@example.org").email == "resident@example.org"
    [statement] = prepared()  # from the fifth on, one prepared statement, its values bound apart
    assert "$1" in statement and "resident@example.org" not in statement

"""Settings read from the environment (issue 11: e-mail links follow `make run`'s address)."""

import subprocess
import sys

import pytest
from django.conf import settings

from ileanet.embedded_db import embedded_database_stop


def _site_url(**environment) -> str:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "ileanet.settings.local"}
    env |= {"DATABASE_URL": "postgres://nobody@localhost/none", **environment}
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True,
        text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"HOST": "127.0.0.1", "PORT": "8010"}, "http://127.0.0.1:8010"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://127.0.0.1:9000"),  # noqa: S104
        (
            {"PORT": "8010", "SITE_URL": "https://ileanet.example.org"},
            "https://ileanet.example.org",
        ),
    ],
)
def test_email_links_point_where_make_run_serves_unless_site_url_is_set(environment, expected):
    assert _site_url(**environment) == expected


def test_stopping_the_embedded_database_when_it_does_not_run_does_nothing(tmp_path):
    assert embedded_database_stop(tmp_path) is False

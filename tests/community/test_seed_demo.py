"""The demo data, with its published password, is never loaded under production settings."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from community.models import User
from tests.test_platform import _manage, _production_env


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings_and_creates_nothing(settings):
    settings.IS_PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")

    assert not User.objects.filter(email="admin@example.org").exists()


def test_seed_demo_refuses_to_run_with_django_env_production():
    # A database nobody listens on: should the refusal ever break, nothing is written anywhere.
    env = _production_env(DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing")

    result = _manage("seed_demo", env=env)

    assert result.returncode != 0
    assert "CommandError" in result.stderr
    assert "production settings" in result.stderr
    assert "admin@example.org" not in result.stdout

"""The compose file starts nothing with a secret key anyone could read in the repository."""

import re
from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(settings.BASE_DIR) / "docker-compose.yml"


def _environments(compose: dict):
    yield from (compose.get("x-app") or {}).get("environment", {}).items()
    for service in compose["services"].values():
        yield from (service.get("environment") or {}).items()


def test_the_secret_key_comes_from_the_environment_with_no_fallback():
    compose = yaml.safe_load(COMPOSE.read_text())

    keys = [value for name, value in _environments(compose) if name == "DJANGO_SECRET_KEY"]

    assert keys, "the app services take DJANGO_SECRET_KEY from the environment"
    for value in keys:
        # ${VAR:?message} refuses to start without it; ${VAR:-default} or a literal would not
        assert re.fullmatch(r"\$\{DJANGO_SECRET_KEY:\?[^}]*\}", value), value


def test_uploads_are_kept_in_a_named_volume_every_app_service_mounts():
    compose = yaml.safe_load(COMPOSE.read_text())
    media_root = compose["x-app"]["environment"]["DJANGO_MEDIA_ROOT"]

    assert "media" in compose["volumes"]
    for name in ("web", "worker", "beat"):
        assert f"media:{media_root}" in compose["services"][name]["volumes"], name

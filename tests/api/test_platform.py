"""The API's shared parts: the OpenAPI schema validates, the documentation page loads only
same-origin assets under the CSP, pagination and rate limits."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse

from ipup.models import ResearchProject
from tests.api.conftest import token_client

pytestmark = pytest.mark.django_db


def test_the_schema_validates(tmp_path):
    # Fails on any warning too (an untyped parameter, an unknown authentication class).
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))

    text = (tmp_path / "s.yml").read_text()
    assert "/api/v1/needs/{need_pk}/candidates/" in text
    assert "scheme: bearer" in text


def test_the_schema_is_served_as_openapi_3(client_for, researcher):
    response = client_for(researcher).get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_docs_page_loads_only_same_origin_assets_without_inline_script(
    client_for, researcher, settings
):
    client = client_for(researcher)
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    assert all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    # Every script is a file: the CSP forbids inline ones and this page needs no exception.
    assert "<script>" not in html
    assert "<style>" not in html
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "script-src 'self'" in csp
    # The sidecar's files are found by the static files finders (collected in production).
    for url in urls:
        if url.startswith(settings.STATIC_URL):
            assert finders.find(url.removeprefix(settings.STATIC_URL)), url
        else:
            assert client.get(url).status_code == 200, url
    script = next(url for url in urls if "script" in url and "docs" in url)
    initialiser = client.get(script)
    assert initialiser["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in initialiser.content.decode()


def test_the_docs_page_is_linked_from_the_token_page(client_for, researcher):
    response = client_for(researcher).get(reverse("community:api-tokens"))

    assert reverse("api:docs") in response.content.decode()


def test_lists_are_paginated_50_by_default_at_most_200(
    researcher, token_for, django_assert_max_num_queries
):
    ResearchProject.objects.bulk_create(
        ResearchProject(source="cordis", source_id=str(i), title=f"Project {i}") for i in range(210)
    )
    client = token_client(token_for(researcher))
    url = reverse("api:project-list")

    with django_assert_max_num_queries(12):
        body = client.get(url).json()
    assert body["count"] == 210
    assert len(body["results"]) == 50
    assert "page=2" in body["next"]
    with django_assert_max_num_queries(12):
        assert len(client.get(url, {"page_size": 1000}).json()["results"]) == 200
    assert client.get(url, {"page": 99}).status_code == 404


def test_rate_limits_answer_429(settings, researcher, token_for):
    settings.API_RATE_LIMITS = {"user": "3/hour"}
    client = token_client(token_for(researcher))
    url = reverse("api:need-list")

    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert int(client.get(url)["Retry-After"]) > 0

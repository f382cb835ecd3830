"""The access matrix of the API (issue 12, acceptance 5): every role, with a session, with a
personal token and with nothing, on every endpoint; the lists read through the same rule as the
pages (Need.objects.visible_to); a suspended member's token stops working."""

import pytest
from django.test import Client
from django.urls import reverse

from ipup.models import Need
from tests.api.conftest import ROLES, token_client

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "projects", "project", "needs", "need_members", "need_lea_room", "need_private_room",
    "candidates_members", "candidate_members", "candidates_lea_room", "schema", "docs",
]  # fmt: skip


def _url(name: str, world) -> str:
    needs, candidates = world["needs"], world["candidates"]
    if name in ("schema", "docs"):
        return reverse(f"api:{name}")
    if name == "projects":
        return reverse("api:project-list")
    if name == "project":
        return reverse("api:project-detail", args=[world["projects"][0].pk])
    if name == "needs":
        return reverse("api:need-list")
    kind, key = name.split("_", 1)
    if kind == "need":
        return reverse("api:need-detail", args=[needs[key].pk])
    if kind == "candidates":
        return reverse("api:need-candidate-list", args=[needs[key].pk])
    return reverse("api:need-candidate-detail", args=[needs[key].pk, candidates[key].pk])


# What each member in good standing gets, whether by session or by token. Projects are open
# data, read by every member (as on the project pages); candidates need the right to screen (community managers and IPUP
# coordinators) on a need one can see; a need one cannot see is 404, never 403.
OK, NOT_FOUND = 200, 404
_ALL_OK = dict.fromkeys(ENDPOINTS, OK)
_NOT_SCREENING = {
    "need_private_room": NOT_FOUND,
    "candidates_members": NOT_FOUND,
    "candidate_members": NOT_FOUND,
    "candidates_lea_room": NOT_FOUND,
}
EXPECTED = {
    "unverified": _ALL_OK | _NOT_SCREENING | {
        "need_members": NOT_FOUND, "need_lea_room": NOT_FOUND,
    },
    "industry": _ALL_OK | _NOT_SCREENING | {"need_lea_room": NOT_FOUND},
    "researcher": _ALL_OK | _NOT_SCREENING | {"need_lea_room": NOT_FOUND},
    "lea": _ALL_OK | _NOT_SCREENING,
    "manager": _ALL_OK,
    "coordinator": _ALL_OK | {
        "need_lea_room": NOT_FOUND, "need_private_room": NOT_FOUND,
        "candidates_lea_room": NOT_FOUND,
    },
}  # fmt: skip


def _client(mode: str, member, token_for) -> Client:
    if mode == "token":
        return token_client(token_for(member))
    client = Client()
    if mode == "session":
        client.force_login(member)
    return client


# An anonymous visitor has neither a session nor a token.
CASES = [("anonymous", "nothing")] + [
    (role, mode) for role in ROLES[1:] for mode in ("nothing", "session", "token")
]


@pytest.mark.parametrize(("role", "mode"), CASES)
def test_access_matrix(role, mode, actors, world, token_for):
    # given
    member = actors[role]
    client = _client(mode, member, token_for)
    # when
    statuses = {name: client.get(_url(name, world)).status_code for name in ENDPOINTS}
    # then
    if mode == "nothing":
        expected = dict.fromkeys(ENDPOINTS, 401)
    elif role == "suspended":
        # The member gate answers a session; the token itself stops working.
        expected = dict.fromkeys(ENDPOINTS, 403 if mode == "session" else 401)
    else:
        expected = EXPECTED[role]
    assert statuses == expected


@pytest.mark.parametrize("role", ["unverified", "industry", "researcher", "lea", "manager",
                                  "coordinator"])  # fmt: skip
@pytest.mark.parametrize("mode", ["session", "token"])
def test_need_list_is_the_visibility_rule(role, mode, actors, world, token_for):
    member = actors[role]
    client = _client(mode, member, token_for)

    body = client.get(reverse("api:need-list"), {"page_size": 200}).json()

    listed = {row["id"] for row in body["results"]}
    assert listed == set(Need.objects.visible_to(member).values_list("pk", flat=True))
    assert body["count"] == len(listed)
    # Community managers read every room; LEA members read the LEA room, nobody else here does.
    assert (world["needs"]["lea_room"].pk in listed) == (role in ("lea", "manager"))
    assert (world["needs"]["private_room"].pk in listed) == (role == "manager")

"""A project's IPIP checklist in the API (issue 14): read under the page's rule, item states
updated by holders and coordinators with the page's validation; 404 for what one may not see,
403 for what one may not write, and nothing stored."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.models import AuditLogEntry
from ipip.models import ItemState
from ipip.services.checklists import checklist_adopt
from tests.api import conftest as api_fixtures
from tests.api.conftest import ROLES, suspend, token_client
from tests.ipip.test_checklists import set_states, small_template
from tests.ipup.factories import ResearchProjectFactory

pytestmark = pytest.mark.django_db

# The API tests' actors (every role) and token maker.
actors = api_fixtures.actors
token_for = api_fixtures.token_for

S = ItemState.Status


@pytest.fixture
def setup(actors, make_member):
    holder = make_member(email="holder@example.org")
    project = ResearchProjectFactory(acronym="APICHECK")
    assign_perm("ipup.hold_project", holder, project)
    checklist = checklist_adopt(actor=holder, project=project, template=small_template())
    set_states(checklist, {"a": S.DONE, "c": S.NOT_APPLICABLE})
    suspend(actors["suspended"])
    return {"holder": holder, "project": project, "checklist": checklist, **actors}


def _read(project):
    return reverse("api:project-checklist-list", args=[project.pk])


def _item(project, key):
    return reverse("api:project-checklist-item-detail", args=[project.pk, key])


READ = {"anonymous": 401, "unverified": 404, "industry": 200, "researcher": 200, "lea": 200,
        "suspended": 403, "manager": 200, "coordinator": 200}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_a_checklist(setup, client_for, role):
    member = setup[role]
    client = client_for(member)
    response = client.get(_read(setup["project"]))
    assert response.status_code == READ[role], role
    if response.status_code == 200:
        body = response.json()
        assert body["version"] == 2
        assert body["progress"] == 17
        assert [s["key"] for s in body["stages"]] == ["idea", "before"]
        assert body["stages"][0]["progress"] == 33
        assert body["stages"][0]["items"][0] == {**body["stages"][0]["items"][0],
                                                 "key": "a", "status": "done"}  # fmt: skip


def test_a_project_without_checklist_reads_as_not_adopted(setup, client_for):
    project = ResearchProjectFactory()
    body = client_for(setup["researcher"]).get(_read(project)).json()
    assert body["version"] is None
    assert body["stages"] == []


WRITE = {"anonymous": 401, "unverified": 404, "industry": 403, "researcher": 403, "lea": 403,
         "suspended": 403, "manager": 200, "coordinator": 200, "holder": 200}  # fmt: skip


@pytest.mark.parametrize("role", [*ROLES, "holder"])
def test_who_updates_an_item(setup, client_for, role):
    project = setup["project"]
    response = client_for(setup[role]).patch(
        _item(project, "b"), {"status": "in_progress", "owner": "Team A"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == WRITE[role], role
    state = ItemState.objects.get(checklist=setup["checklist"], item__key="b")
    if WRITE[role] == 200:
        assert response.json()["status"] == "in_progress"
        assert (state.status, state.owner) == (S.IN_PROGRESS, "Team A")
        assert AuditLogEntry.objects.filter(action="ipip.item_state_update").exists()
    else:
        assert (state.status, state.owner) == (S.NOT_STARTED, "")


def test_a_token_works_too(setup, token_for):
    client = token_client(token_for(setup["holder"]))
    response = client.patch(_item(setup["project"], "e"), {"date": "2026-01-02"},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    assert response.json()["date"] == "2026-01-02"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "not_applicable"}, "reason"),
        ({"status": "not_applicable", "reason": "  "}, "reason"),
        ({"evidence_link": "ftp://example.org/x"}, "evidence_link"),
        ({"status": "finished"}, "status"),
        ({"date": "yesterday"}, "date"),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(setup, client_for, payload, field):
    response = client_for(setup["holder"]).patch(
        _item(setup["project"], "b"), payload, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    state = ItemState.objects.get(checklist=setup["checklist"], item__key="b")
    assert (state.status, state.reason, state.evidence_link) == (S.NOT_STARTED, "", "")


def test_an_unknown_item_or_project_is_404(setup, client_for):
    client = client_for(setup["holder"])
    assert client.patch(_item(setup["project"], "zzz"), {}, content_type="application/json"
                        ).status_code == 404  # fmt: skip
    assert client.get(reverse("api:project-checklist-list", args=[999999])).status_code == 404

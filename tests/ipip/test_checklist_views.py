"""The IPIP checklist pages (issue 14): the project's checklist page, item updates, evidence
files, the PDF report, the coordinators' versions and the comparison, for every role."""

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from guardian.shortcuts import assign_perm

from community.roles import Role
from ipip.models import ChecklistItem, ChecklistTemplate, ItemState, ProjectChecklist
from ipip.services.checklists import checklist_adopt
from ipup.models import ResearchProject
from tests.ipip.test_checklists import set_states, small_template
from tests.ipup.factories import ResearchProjectFactory

pytestmark = pytest.mark.django_db

S = ItemState.Status
PDF = b"%PDF-1.4\n%minimal\n"


@pytest.fixture
def people(make_member, researcher, unverified_member):
    holder = make_member(email="holder@example.org")
    other_holder = make_member(email="other@example.org")
    coordinator = make_member(roles=[Role.IPUP_COORDINATOR], email="coord@example.org")
    project = ResearchProjectFactory(acronym="CHECK")
    assign_perm("ipup.hold_project", holder, project)
    elsewhere = ResearchProjectFactory(acronym="ELSE")
    assign_perm("ipup.hold_project", other_holder, elsewhere)
    return {
        "holder": holder,
        "other_holder": other_holder,
        "coordinator": coordinator,
        "researcher": researcher,
        "unverified": unverified_member,
        "project": project,
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _page(project):
    return reverse("ipip:project-checklist", args=[project.pk])


def _item(project, state):
    return reverse("ipip:item-state", args=[project.pk, state.pk])


@pytest.mark.parametrize(
    ("who", "code", "may_write"),
    [
        ("holder", 200, True),
        ("coordinator", 200, True),
        ("researcher", 200, False),
        ("other_holder", 200, False),
        ("unverified", 404, False),
    ],
)
def test_who_sees_the_checklist_page(people, client_for, who, code, may_write):
    project = people["project"]
    checklist = checklist_adopt(actor=people["holder"], project=project, template=small_template())
    state = checklist.states.first()
    response = client_for(people[who]).get(_page(project))
    assert response.status_code == code
    if code == 200:
        assert "Practice a" in response.text
        assert (_item(project, state) in response.text) is may_write
        edit = client_for(people[who]).get(_item(project, state))
        assert edit.status_code == (200 if may_write else 404)


def test_anonymous_is_sent_to_sign_in(people, client_for):
    response = client_for(None).get(_page(people["project"]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_project_page_links_the_checklist_and_a_holder_adopts(people, client_for):
    project = people["project"]
    client = client_for(people["holder"])
    assert _page(project) in client.get(reverse("ipup:project-detail", args=[project.pk])).text
    page = client.get(_page(project))
    assert "Adopt the checklist" in page.text
    response = client.post(reverse("ipip:project-checklist-adopt", args=[project.pk]))
    assert response.status_code == 302
    assert ProjectChecklist.objects.get(project=project).template.version == 1


def test_a_reader_may_not_adopt(people, client_for):
    project = people["project"]
    response = client_for(people["researcher"]).post(
        reverse("ipip:project-checklist-adopt", args=[project.pk])
    )
    assert response.status_code == 403
    assert not ProjectChecklist.objects.exists()


def test_adopt_version_n_is_offered_when_a_newer_one_is_published(people, client_for):
    project = people["project"]
    checklist_adopt(actor=people["holder"], project=project)
    small_template(version=2)
    assert "Adopt version 2" in client_for(people["holder"]).get(_page(project)).text
    assert "Adopt version 2" not in client_for(people["researcher"]).get(_page(project)).text


def test_a_holder_updates_an_item_with_a_file(people, client_for, media):
    project = people["project"]
    checklist = checklist_adopt(actor=people["holder"], project=project, template=small_template())
    state = checklist.states.first()
    client = client_for(people["holder"])
    response = client.post(
        _item(project, state),
        {"status": S.DONE, "owner": "Ana", "evidence_note": "Signed minutes",
         "evidence_link": "https://example.org/minutes", "date": "2026-05-04",
         "evidence_file": SimpleUploadedFile("minutes.pdf", PDF)},
    )  # fmt: skip
    assert response.status_code == 302
    state.refresh_from_db()
    assert (state.status, state.owner, str(state.date)) == (S.DONE, "Ana", "2026-05-04")
    page = client.get(_page(project)).text
    assert "Signed minutes" in page
    assert "https://example.org/minutes" in page
    evidence = reverse("ipip:item-evidence", args=[project.pk, state.pk])
    assert evidence in page
    # the file goes to the holders and coordinators only
    for who, code in [("holder", 200), ("coordinator", 200), ("researcher", 404),
                      ("other_holder", 404), ("unverified", 404)]:  # fmt: skip
        assert client_for(people[who]).get(evidence).status_code == code, who
    assert b"".join(client.get(evidence).streaming_content) == PDF
    assert evidence not in client_for(people["researcher"]).get(_page(project)).text


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"status": S.NOT_APPLICABLE, "reason": ""}, "Say why this practice does not apply"),
        ({"status": S.DONE, "evidence_link": "not a link at all"}, "Enter a valid URL"),
        ({"status": S.DONE, "evidence_file": ("run.exe", b"MZ")}, "not allowed"),
        ({"status": S.DONE, "evidence_file": ("big.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10485760)},
         "larger than"),
    ],
)  # fmt: skip
def test_bad_input_is_explained_and_nothing_stored(people, client_for, media, data, error):
    project = people["project"]
    checklist = checklist_adopt(actor=people["holder"], project=project, template=small_template())
    state = checklist.states.first()
    if "evidence_file" in data:
        name, content = data["evidence_file"]
        data = {**data, "evidence_file": SimpleUploadedFile(name, content)}
    response = client_for(people["holder"]).post(_item(project, state), {"owner": "X", **data})
    assert response.status_code == 400
    assert error in response.text
    state.refresh_from_db()
    assert (state.status, state.owner, bool(state.evidence_file)) == (S.NOT_STARTED, "", False)


def test_the_pdf_report_lists_every_stage_and_state(people, client_for):
    project = people["project"]
    checklist = checklist_adopt(actor=people["holder"], project=project)
    set_states(checklist, {"outreach": S.DONE, "define-ri": S.IN_PROGRESS})
    ItemState.objects.filter(checklist=checklist, item__key="outreach").update(owner="Owner Ana")
    url = reverse("ipip:project-checklist-report", args=[project.pk])
    response = client_for(people["researcher"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    flat = " ".join(text.split())
    for stage in checklist.template.stages.all():
        assert str(stage.get_key_display()) in flat
    states = ItemState.objects.filter(checklist=checklist).select_related("item")
    assert flat.count("Not started") >= states.filter(status=S.NOT_STARTED).count()
    assert "Done" in flat
    assert "In progress" in flat
    assert "Owner Ana" in flat
    for state in states:
        assert " ".join(state.item.text.split()[:3]) in flat
    for who in ("unverified",):
        assert client_for(people[who]).get(url).status_code == 404


def test_the_checklist_page_runs_a_fixed_number_of_queries(
    people, client_for, django_assert_max_num_queries
):
    holder = people["holder"]
    client = client_for(holder)
    small = ResearchProjectFactory(acronym="SMALL")
    big = ResearchProjectFactory(acronym="BIG")
    for project in (small, big):
        assign_perm("ipup.hold_project", holder, project)
    checklist_adopt(actor=holder, project=small, template=small_template(
        version=2, stages={"idea": ["a"]}))  # fmt: skip
    checklist_adopt(actor=holder, project=big)  # the whole version 1
    client.get(_page(small))
    counts = []
    for project in (small, big):
        with django_assert_max_num_queries(30) as context:
            assert client.get(_page(project)).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


# --- Coordinators: versions and comparison ----------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["ipip:checklist-templates", "ipip:checklist-comparison"],
)
def test_coordinator_pages_are_hidden_from_others(people, client_for, url):
    for who in ("holder", "researcher", "unverified"):
        assert client_for(people[who]).get(reverse(url)).status_code == 404
    template = ChecklistTemplate.objects.get(version=1)
    detail = reverse("ipip:checklist-template", args=[template.pk])
    assert client_for(people["holder"]).get(detail).status_code == 404
    assert client_for(people["coordinator"]).get(reverse(url)).status_code == 200


def test_a_coordinator_drafts_edits_and_publishes_a_version(people, client_for):
    client = client_for(people["coordinator"])
    # the Manage menu leads to the comparison, which leads to the versions
    home = client.get(reverse("ipip:checklist-comparison"))
    assert reverse("ipip:checklist-comparison") in home.text
    assert reverse("ipip:checklist-templates") in home.text
    response = client.post(reverse("ipip:checklist-templates"))
    draft = ChecklistTemplate.objects.get(version=2)
    assert response["Location"] == reverse("ipip:checklist-template", args=[draft.pk])
    url = response["Location"]
    # bad input: an empty practice
    bad = client.post(url, {"action": "save", "new-stage": "eu", "new-text": ""})
    assert bad.status_code == 400
    before = ChecklistItem.objects.filter(stage__template=draft).count()
    client.post(url, {"action": "save", "new-stage": "eu", "new-text": "Share results"})
    assert ChecklistItem.objects.filter(stage__template=draft).count() == before + 1
    item = ChecklistItem.objects.filter(stage__template=draft).first()
    client.post(url, {"action": "save", "item": item.pk, f"i{item.pk}-stage": item.stage.key,
                      f"i{item.pk}-text": "Reworded"})  # fmt: skip
    item.refresh_from_db()
    assert item.text == "Reworded"
    client.post(url, {"action": "delete", "item": item.pk})
    assert not ChecklistItem.objects.filter(pk=item.pk).exists()
    client.post(url, {"action": "publish", "note": "Added sharing"})
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert draft.note == "Added sharing"
    # frozen afterwards
    other = ChecklistItem.objects.filter(stage__template=draft).first()
    client.post(url, {"action": "delete", "item": other.pk})
    assert ChecklistItem.objects.filter(pk=other.pk).exists()
    # a forged item id is not found (it was a server error: found by an attacker's pass)
    for forged in ("abc", "1 OR 1=1"):
        assert client.post(url, {"action": "delete", "item": forged}).status_code == 404


def _compare_setup(holder, n):
    projects = []
    for i in range(n):
        project = ResearchProjectFactory(acronym=f"P{i:02d}")
        assign_perm("ipup.hold_project", holder, project)
        checklist_adopt(actor=holder, project=project, template=TEMPLATE[0])
        projects.append(project)
    return projects


TEMPLATE = []


def test_comparison_sorts_exports_and_charts(people, client_for):
    holder = people["holder"]
    TEMPLATE[:] = [small_template(version=2, stages={"idea": ["a", "b"], "before": ["c"]})]
    low, high = _compare_setup(holder, 2)
    set_states(ProjectChecklist.objects.get(project=high), {"a": S.DONE, "b": S.DONE})
    set_states(ProjectChecklist.objects.get(project=low), {"c": S.DONE})
    client = client_for(people["coordinator"])
    url = reverse("ipip:checklist-comparison")
    by_idea = client.get(url, {"sort": "-idea"}).text
    assert by_idea.index("P01") < by_idea.index("P00")
    assert 'id="ipip-comparison-chart"' in by_idea
    assert "<script>" not in by_idea.replace("<script src", "")
    by_before = client.get(url, {"sort": "-before"}).text
    assert by_before.index("P00") < by_before.index("P01")
    assert client.get(url, {"sort": "nonsense"}).status_code == 200
    csv = client.get(url, {"format": "csv", "sort": "project"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[1].startswith("P00,2,0,100")
    assert lines[2].startswith("P01,2,100,0")


def test_a_project_name_is_never_a_formula_in_the_csv(people, client_for):
    TEMPLATE[:] = [small_template(version=2)]
    (project,) = _compare_setup(people["holder"], 1)
    ResearchProject.objects.filter(pk=project.pk).update(acronym='=HYPERLINK("http://x")')

    csv = client_for(people["coordinator"]).get(
        reverse("ipip:checklist-comparison"), {"format": "csv"}
    )

    assert csv.content.decode().splitlines()[1].startswith("\"'=HYPERLINK")


def test_comparison_runs_a_fixed_number_of_queries(
    people, client_for, django_assert_max_num_queries
):
    TEMPLATE[:] = [small_template(version=2)]
    client = client_for(people["coordinator"])
    url = reverse("ipip:checklist-comparison")
    client.get(url)
    counts = []
    for n in (1, 5):
        _compare_setup(people["holder"], n if not counts else n - 1)
        with django_assert_max_num_queries(25) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]


def test_the_manage_menu_links_the_comparison_for_coordinators_only(people, client_for):
    page = reverse("ipup:project-detail", args=[people["project"].pk])
    compare = reverse("ipip:checklist-comparison")
    assert compare in client_for(people["coordinator"]).get(page).text
    assert compare not in client_for(people["holder"]).get(page).text


def test_the_inline_form_keeps_the_file_when_none_is_sent(people, client_for, media):
    project = people["project"]
    checklist = checklist_adopt(actor=people["holder"], project=project, template=small_template())
    state = checklist.states.first()
    client = client_for(people["holder"])
    client.post(_item(project, state), {"status": S.IN_PROGRESS,
                                        "evidence_file": SimpleUploadedFile("a.pdf", PDF)})  # fmt: skip
    client.post(_item(project, state), {"status": S.DONE})
    state.refresh_from_db()
    assert state.status == S.DONE
    assert state.evidence_file
    client.post(_item(project, state), {"status": S.DONE, "clear_file": "on"})
    state.refresh_from_db()
    assert not state.evidence_file

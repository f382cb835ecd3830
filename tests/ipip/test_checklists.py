"""The IPIP checklist services and progress (issue 14): versions, adoption and carry-over,
item states and their validation, progress on a hand-made example."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.shortcuts import assign_perm

from community.models import AuditLogEntry
from community.roles import Role
from ipip.models import ChecklistItem, ChecklistStage, ChecklistTemplate, ItemState
from ipip.selectors import checklist_view_for, comparison_rows
from ipip.services.checklists import (
    checklist_adopt,
    item_state_update,
    template_draft_create,
    template_item_delete,
    template_item_move,
    template_item_save,
    template_publish,
)
from tests.ipup.factories import ResearchProjectFactory

pytestmark = pytest.mark.django_db

S = ItemState.Status


def small_template(version=2, stages=None):
    """A published version with the given {stage key: [item keys]}."""
    stages = stages or {"idea": ["a", "b", "c", "d"], "before": ["e", "f", "g"]}
    template = ChecklistTemplate.objects.create(
        version=version, title="Small", published_at=timezone.now()
    )
    for position, (key, items) in enumerate(stages.items()):
        stage = ChecklistStage.objects.create(template=template, key=key, position=position)
        for index, item in enumerate(items):
            ChecklistItem.objects.create(
                stage=stage, key=item, text=f"Practice {item}", position=index
            )
    return template


def set_states(checklist, statuses: dict):
    for key, status in statuses.items():
        ItemState.objects.filter(checklist=checklist, item__key=key).update(
            status=status, reason="n/a" if status == S.NOT_APPLICABLE else ""
        )


@pytest.fixture
def coordinator(make_member):
    return make_member(roles=[Role.IPUP_COORDINATOR], email="coord@example.org")


@pytest.fixture
def holder(make_member):
    return make_member(email="holder@example.org")


@pytest.fixture
def project(holder):
    project = ResearchProjectFactory(acronym="CHECK")
    assign_perm("ipup.hold_project", holder, project)
    return project


def test_progress_on_a_hand_made_example(project, holder):
    # given: 4 + 3 items, stage "idea" done, done, n/a, not started; "before" done, in progress, n/a
    template = small_template()
    checklist = checklist_adopt(actor=holder, project=project, template=template)
    set_states(checklist, {"a": S.DONE, "b": S.DONE, "c": S.NOT_APPLICABLE,
                           "e": S.DONE, "f": S.IN_PROGRESS, "g": S.NOT_APPLICABLE})  # fmt: skip
    # when
    view = checklist_view_for(project)
    # then: done / (items - not applicable)
    progress = {stage.key: stage.progress for stage in view.stages}
    assert progress == {"idea": 67, "before": 50}  # 2/3, 1/2
    assert view.progress == 60  # 3/5
    row = comparison_rows()[0]
    assert row.stages == {"idea": 67, "before": 50}
    assert row.overall == 60


def test_a_stage_where_nothing_applies_has_no_progress(project, holder):
    template = small_template(stages={"idea": ["a"], "before": ["b"]})
    checklist = checklist_adopt(actor=holder, project=project, template=template)
    set_states(checklist, {"a": S.NOT_APPLICABLE, "b": S.DONE})
    view = checklist_view_for(project)
    assert [s.progress for s in view.stages] == [None, 100]
    assert view.progress == 100


def test_adopting_without_a_version_takes_the_latest_published_one(project, holder):
    checklist = checklist_adopt(actor=holder, project=project)
    assert checklist.template.version == 1
    assert (
        checklist.states.count() == ChecklistItem.objects.filter(stage__template__version=1).count()
    )
    assert AuditLogEntry.objects.filter(action="ipip.checklist_adopt").exists()


def test_an_outsider_may_not_adopt(project, researcher):
    with pytest.raises(PermissionDenied):
        checklist_adopt(actor=researcher, project=project)
    assert not hasattr(project, "checklist") or project.checklist is None


def test_a_template_change_does_not_alter_the_adopted_version(project, holder, coordinator):
    # given: the project follows version 1
    checklist_adopt(actor=holder, project=project)
    first = ChecklistItem.objects.filter(stage__template__version=1).order_by("id").first()
    # when: a coordinator drafts version 2, edits, adds, deletes, moves and publishes it
    draft = template_draft_create(actor=coordinator)
    assert draft.version == 2
    assert draft.published_at is None
    copied = ChecklistItem.objects.get(stage__template=draft, key=first.key)
    edited = template_item_save(actor=coordinator, template=draft, item=copied,
                                stage_key=copied.stage.key, text="Reworded practice")  # fmt: skip
    added = template_item_save(actor=coordinator, template=draft, stage_key="eu",
                               text="A brand new practice")  # fmt: skip
    template_item_move(actor=coordinator, item=added, up=True)
    template_item_delete(
        actor=coordinator, item=ChecklistItem.objects.filter(stage__template=draft).last()
    )
    template_publish(actor=coordinator, template=draft, note="Reworded")
    # then: the key is kept for the edited item, a new key for the new one
    assert edited.key == first.key
    assert not ChecklistItem.objects.filter(stage__template__version=1, key=added.key).exists()
    # and the project still follows version 1, with the old wording
    view = checklist_view_for(project)
    assert view.checklist.template.version == 1
    assert view.newer.version == 2
    assert first.text in [s.item.text for stage in view.stages for s in stage.states]
    # and the published version is frozen
    with pytest.raises(ValidationError):
        template_item_save(actor=coordinator, template=draft, stage_key="eu", text="Too late")
    with pytest.raises(ValidationError):
        template_item_delete(actor=coordinator, item=edited)


def test_only_coordinators_change_the_template(holder):
    with pytest.raises(PermissionDenied):
        template_draft_create(actor=holder)


def test_adopting_a_newer_version_carries_states_over(project, holder, coordinator):
    # given: version 2 with a, b, c; the project marked a done and b not applicable
    old = small_template(version=2, stages={"idea": ["a", "b", "c"]})
    checklist = checklist_adopt(actor=holder, project=project, template=old)
    state = checklist.states.get(item__key="a")
    item_state_update(actor=holder, state=state, status=S.DONE, owner="Ana",
                      evidence_note="Minutes", evidence_link="https://example.org/m",
                      date=timezone.localdate())  # fmt: skip
    item_state_update(actor=holder, state=checklist.states.get(item__key="b"),
                      status=S.NOT_APPLICABLE, reason="No LEA partner")  # fmt: skip
    # when: version 3 keeps a, drops b, adds d
    new = small_template(version=3, stages={"idea": ["a", "c", "d"]})
    checklist_adopt(actor=coordinator, project=project, template=new)
    # then
    states = {s.item.key: s for s in checklist.states.select_related("item")}
    assert set(states) == {"a", "c", "d"}
    assert all(s.item.stage.template_id == new.pk for s in states.values())
    a = states["a"]
    assert (a.status, a.owner, a.evidence_note, a.evidence_link, a.date) == (
        S.DONE, "Ana", "Minutes", "https://example.org/m", timezone.localdate(),
    )  # fmt: skip
    assert states["d"].status == S.NOT_STARTED
    assert not ItemState.objects.filter(item__stage__template=old).exists()
    # and adopting the same or an older version is refused
    with pytest.raises(ValidationError):
        checklist_adopt(actor=holder, project=project, template=old)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"status": S.NOT_APPLICABLE, "reason": ""}, "reason"),
        ({"status": S.DONE, "evidence_link": "javascript:alert(1)"}, "evidence_link"),
        ({"status": "finished"}, "status"),
    ],
)
def test_bad_values_are_refused_and_nothing_stored(project, holder, values, field):
    checklist = checklist_adopt(actor=holder, project=project, template=small_template())
    state = checklist.states.first()
    with pytest.raises(ValidationError) as error:
        item_state_update(actor=holder, state=state, owner="Someone", **values)
    assert field in error.value.message_dict
    state.refresh_from_db()
    assert (state.status, state.owner) == (S.NOT_STARTED, "")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tool.exe", b"MZ\x90\x00"),
        ("fake.pdf", b"MZ not a pdf"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024)),
    ],
)
def test_odd_or_oversized_files_are_refused(project, holder, name, content, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    checklist = checklist_adopt(actor=holder, project=project, template=small_template())
    state = checklist.states.first()
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(ValidationError) as error:
        item_state_update(actor=holder, state=state, status=S.DONE, evidence_file=upload)
    assert "evidence_file" in error.value.message_dict
    state.refresh_from_db()
    assert not state.evidence_file
    assert state.status == S.NOT_STARTED


def test_a_member_who_does_not_hold_the_project_may_not_update(project, holder, researcher):
    checklist = checklist_adopt(actor=holder, project=project, template=small_template())
    with pytest.raises(PermissionDenied):
        item_state_update(actor=researcher, state=checklist.states.first(), status=S.DONE)

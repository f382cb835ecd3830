"""IPIP in the demo: the showcased project on the checklist, a few practices done."""

from django.utils import timezone

DONE = {
    "needs-early": "Needs workshop with four border police services before the call.",
    "completed-projects": "Review of eleven earlier border projects in the project database.",
    "state-of-the-art": "State-of-the-art report, deliverable D1.1.",
    "lea-board": "LEA steering board of three services, meeting every quarter.",
    "record-activities": "Every demonstration is recorded on the project's website.",
}


def seed_checklist(*, coordinator, project) -> None:
    """Adopt the checklist for ``project`` and mark a few practices done (once)."""
    from .models import ItemState, ProjectChecklist
    from .services.checklists import checklist_adopt, item_state_update

    if ProjectChecklist.objects.filter(project=project).exists():
        return
    checklist = checklist_adopt(actor=coordinator, project=project)
    states = ItemState.objects.filter(checklist=checklist, item__key__in=DONE).select_related(
        "item"
    )
    for state in states:
        item_state_update(actor=coordinator, state=state, status=ItemState.Status.DONE,
                          owner="Project coordinator", evidence_note=DONE[state.item.key],
                          date=timezone.localdate())  # fmt: skip

"""Reads on the IPIP checklist: a project's checklist with its progress, and the comparison of
projects. Each runs a fixed number of queries whatever the number of items or projects."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from ipup.models import ResearchProject

from .models import ChecklistItem, ChecklistStage, ChecklistTemplate, ItemState, ProjectChecklist

STAGE_KEYS = ChecklistStage.Key.values


def percent(done: int, applicable: int) -> int | None:
    """Progress: done items over the items that apply (not "not applicable"); None when no item
    applies."""
    if applicable <= 0:
        return None
    return round(100 * done / applicable)


@dataclass
class StageView:
    key: str
    label: str
    states: list = field(default_factory=list)
    done: int = 0
    applicable: int = 0

    @property
    def progress(self) -> int | None:
        return percent(self.done, self.applicable)


@dataclass
class ChecklistView:
    checklist: ProjectChecklist | None
    stages: list
    done: int = 0
    applicable: int = 0
    newer: ChecklistTemplate | None = None

    @property
    def progress(self) -> int | None:
        return percent(self.done, self.applicable)


def _count(states):
    done = sum(1 for s in states if s.status == ItemState.Status.DONE)
    applicable = sum(1 for s in states if s.status != ItemState.Status.NOT_APPLICABLE)
    return done, applicable


def checklist_view_for(project: ResearchProject) -> ChecklistView:
    """The project's adopted checklist, stage by stage, with each item's state: three queries
    (the adoption, the states with their items, the latest published version)."""
    latest = (
        ChecklistTemplate.objects.filter(published_at__isnull=False).order_by("-version").first()
    )
    checklist = (
        ProjectChecklist.objects.select_related("template", "adopted_by")
        .filter(project=project)
        .first()
    )
    if checklist is None:
        return ChecklistView(checklist=None, stages=[], newer=latest)
    states = list(
        ItemState.objects.filter(checklist=checklist)
        .select_related("item__stage", "updated_by")
        .order_by("item__stage__position", "item__position", "item_id")
    )
    stages: dict[str, StageView] = {}
    labels = dict(ChecklistStage.Key.choices)
    for state in states:
        key = state.item.stage.key
        stage = stages.setdefault(key, StageView(key=key, label=labels[key]))
        stage.states.append(state)
    for stage in stages.values():
        stage.done, stage.applicable = _count(stage.states)
    view = ChecklistView(checklist=checklist, stages=list(stages.values()))
    view.done, view.applicable = _count(states)
    if latest is not None and latest.version > checklist.template.version:
        view.newer = latest
    return view


def template_items(template: ChecklistTemplate) -> list[tuple[str, str, list]]:
    """A version's items by stage: [(stage key, label, [items])], in one query."""
    labels = dict(ChecklistStage.Key.choices)
    grouped: dict[str, list] = {}
    for item in (
        ChecklistItem.objects.filter(stage__template=template)
        .select_related("stage")
        .order_by("stage__position", "position", "id")
    ):
        grouped.setdefault(item.stage.key, []).append(item)
    return [(key, labels[key], items) for key, items in grouped.items()]


@dataclass
class ComparisonRow:
    project: ResearchProject
    version: int
    stages: dict  # stage key -> percent or None
    overall: int | None

    def value(self, column: str):
        if column == "project":
            return self.project.acronym or self.project.title
        if column == "version":
            return self.version
        number = self.overall if column == "overall" else self.stages.get(column)
        return -1 if number is None else number


SORT_COLUMNS = ["project", "version", *STAGE_KEYS, "overall"]


def comparison_rows(*, sort: str = "project") -> list[ComparisonRow]:
    """Every project with an adopted checklist and its progress per stage: two queries. ``sort``
    is a column name, with a leading "-" for descending order."""
    descending = sort.startswith("-")
    column = sort.lstrip("-")
    if column not in SORT_COLUMNS:
        column, descending = "project", False
    checklists = list(
        ProjectChecklist.objects.select_related("template", "project").only(
            "template__version", "project__id", "project__acronym", "project__title"
        )
    )
    counts = (
        ItemState.objects.values("checklist_id", "item__stage__key")
        .annotate(
            done=Count("id", filter=Q(status=ItemState.Status.DONE)),
            applicable=Count("id", filter=~Q(status=ItemState.Status.NOT_APPLICABLE)),
        )
        .order_by()
    )
    by_checklist: dict[int, dict] = {}
    for row in counts:
        by_checklist.setdefault(row["checklist_id"], {})[row["item__stage__key"]] = (
            row["done"],
            row["applicable"],
        )
    rows = []
    for checklist in checklists:
        figures = by_checklist.get(checklist.pk, {})
        done = sum(d for d, _a in figures.values())
        applicable = sum(a for _d, a in figures.values())
        rows.append(
            ComparisonRow(
                project=checklist.project,
                version=checklist.template.version,
                stages={key: percent(*figures[key]) for key in figures},
                overall=percent(done, applicable),
            )
        )
    rows.sort(key=lambda r: (r.value(column), str(r.value("project")).lower()), reverse=descending)
    return rows

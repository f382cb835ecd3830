"""Research projects (SPEC §3.5): the open-data import, the holders' edits, and who holds a
project (a django-guardian grant, given by a coordinator or through an approved claim).

The import is a system action (no member acts): it writes the community organisations of the
consortia itself, since community.services.organisations accepts only a community manager as
actor, and records one audit entry per run with what it created. Every other write here has a
member as actor, checks ipup.permissions and writes its audit entry.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from taggit.models import Tag, TaggedItem

from community.audit import audit_log
from community.models import Domain, Organisation, User
from community.search import CONFIG

from ..importers import ParticipantRecord, ProjectRecord, Rejected
from ..models import ProjectClaim, ProjectContact, ProjectParticipant, ResearchProject
from ..permissions import (
    HOLD_PROJECT,
    can_claim_project,
    can_edit_project,
    can_hold_projects,
    can_manage_projects,
)
from .contacts import CONTACT_FIELDS, project_stale_flag_clear

BATCH_SIZE = 500
# Facts that belong to the source: a re-import overwrites them. The summary and objectives
# belong to the holders once written, so an import fills them only while they are empty; TRL,
# website and points of contact are the platform's own.
SOURCE_FIELDS = [
    "acronym", "title", "programme", "call", "topic", "start_date", "end_date", "source_url",
    "total_cost", "eu_contribution",
]  # fmt: skip
HOLDER_FIELDS = ["summary", "objectives"]
EDITABLE = frozenset({"summary", "objectives", "trl", "website"})
# Where a project obviously belongs to a focus domain (words of its tags, topic or title).
DOMAIN_WORDS = {
    "migration-border-management": ("border", "migration", "migrant"),
    "terrorism": ("terroris", "radicali", "explosive"),
    "cybercrime": ("cyber",),
    "serious-organised-crime": (
        "organised crime", "organized crime", "trafficking", "firearm", "drug",
    ),
}  # fmt: skip


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    participants: int = 0
    organisations_created: int = 0


def project_search_vector_refresh(ids: Iterable[int]) -> None:
    """One UPDATE for the whole batch: acronym and title weigh most, then summary/objectives."""
    ResearchProject.objects.filter(pk__in=list(ids)).update(
        search_vector=SearchVector("acronym", "title", weight="A", config=CONFIG)
        + SearchVector("summary", "objectives", weight="B", config=CONFIG)
    )


def projects_imported(ids: Iterable[int]) -> None:
    """Hook after projects are written (import or edit): the embeddings of screening are
    computed once the rows commit."""
    from ..tasks import project_embeddings_task

    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: project_embeddings_task.delay(ids))


def _domains_for(record: ProjectRecord, domains: dict[str, Domain]) -> list[Domain]:
    text = " ".join([*record.tags, record.topic, record.title]).lower()
    return [
        domains[slug]
        for slug, words in DOMAIN_WORDS.items()
        if slug in domains and any(word in text for word in words)
    ]


def _tags_by_name(names: set[str]) -> dict[str, Tag]:
    found = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = names - set(found)
    if missing:
        Tag.objects.bulk_create(
            [Tag(name=name, slug=slugify(name)[:100] or name[:100]) for name in missing],
            ignore_conflicts=True,
        )
        found = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return found


def _add_tags_and_domains(
    projects: dict[tuple[str, str], ResearchProject], records, domains
) -> None:
    """Add (never remove: holders may have added theirs) the source's tags and the obvious
    domains, in a few queries for the whole batch. ``projects`` is keyed by (source, id), as
    projects are unique: two sources may use the same id."""
    tags = _tags_by_name({tag for record in records for tag in record.tags})
    content_type = ContentType.objects.get_for_model(ResearchProject)
    tagged = [
        TaggedItem(
            content_type=content_type, object_id=projects[r.source, r.source_id].pk, tag=tags[t]
        )
        for r in records
        for t in dict.fromkeys(r.tags)
        if t in tags
    ]
    existing = set(
        TaggedItem.objects.filter(
            content_type=content_type, object_id__in=[p.pk for p in projects.values()]
        ).values_list("object_id", "tag_id")
    )
    TaggedItem.objects.bulk_create(
        [item for item in tagged if (item.object_id, item.tag_id) not in existing]
    )
    through = ResearchProject.domains.through
    through.objects.bulk_create(
        [
            through(researchproject_id=projects[r.source, r.source_id].pk, domain_id=domain.pk)
            for r in records
            for domain in _domains_for(r, domains)
        ],
        ignore_conflicts=True,
    )


def _import_batch(records: list[ProjectRecord], summary: ImportSummary, domains) -> None:
    by_key = {(r.source, r.source_id): r for r in records}  # the last of duplicates wins
    records = list(by_key.values())
    keys = Q()
    for source, source_id in by_key:
        keys |= Q(source=source, source_id=source_id)
    existing = {
        (p.source, p.source_id): p
        for p in ResearchProject.objects.filter(keys).only("source", "source_id", *HOLDER_FIELDS)
    }
    rows = []
    for record in records:
        before = existing.get((record.source, record.source_id))
        row = ResearchProject(source=record.source, source_id=record.source_id)
        for name in SOURCE_FIELDS:
            setattr(row, name, getattr(record, name))
        for name in HOLDER_FIELDS:
            setattr(row, name, (before and getattr(before, name)) or getattr(record, name))
        rows.append(row)
    saved = ResearchProject.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["source", "source_id"],
        update_fields=[*SOURCE_FIELDS, *HOLDER_FIELDS, "updated_at"],
    )
    summary.created += len(records) - len(existing)
    summary.updated += len(existing)
    _add_tags_and_domains({(p.source, p.source_id): p for p in saved}, records, domains)
    ids = [p.pk for p in saved]
    project_search_vector_refresh(ids)
    projects_imported(ids)


def _organisations_for(participants: list[ParticipantRecord], summary) -> dict:
    """The community organisation of each (name, country), created when not listed yet. The
    match ignores case, as Organisation.clean does."""
    wanted = {(p.name.lower(), p.country): p for p in participants}
    query = Q()
    for name, country in wanted:
        query |= Q(name__iexact=name, country=country)
    found = {(o.name.lower(), o.country.code): o for o in Organisation.objects.filter(query)}
    missing = [
        Organisation(name=p.name, country=p.country, type=p.activity_type)
        for key, p in wanted.items()
        if key not in found
    ]
    if missing:
        Organisation.objects.bulk_create(missing, ignore_conflicts=True)
        summary.organisations_created += len(missing)
        # ignore_conflicts leaves no pk: read the rows back.
        for organisation in Organisation.objects.filter(query):
            found[(organisation.name.lower(), organisation.country.code)] = organisation
    return found


def _import_participants(participants: list[ParticipantRecord], summary) -> None:
    projects = dict(
        ResearchProject.objects.filter(
            source=ResearchProject.Source.CORDIS,
            source_id__in={p.project_source_id for p in participants},
        ).values_list("source_id", "pk")
    )
    known = []
    for participant in participants:
        if participant.project_source_id in projects:
            known.append(participant)
        else:
            summary.rejected.append(
                Rejected(
                    _("organisation %s") % participant.name,
                    _("unknown project %s") % participant.project_source_id,
                )
            )
    if not known:
        return
    organisations = _organisations_for(known, summary)
    rows = {}
    for p in known:
        organisation = organisations[(p.name.lower(), p.country)]
        rows[(projects[p.project_source_id], organisation.pk)] = ProjectParticipant(
            project_id=projects[p.project_source_id],
            organisation=organisation,
            role=p.role,
            eu_contribution=p.eu_contribution,
        )
    ProjectParticipant.objects.bulk_create(
        list(rows.values()),
        update_conflicts=True,
        unique_fields=["project", "organisation"],
        update_fields=["role", "eu_contribution"],
    )
    summary.participants += len(rows)


def projects_import(
    *,
    records: list[ProjectRecord],
    participants: list[ParticipantRecord] = (),
    rejected: list[Rejected] = (),
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Write ``records`` (ipup.importers) by batches, each in its own transaction: re-importing
    updates by (source, source_id), never duplicates. ``participants`` (the CORDIS
    organisation file) are linked after the projects. ``rejected`` are the rows the reader
    could not read: they are reported with the summary and in the audit entry."""
    summary = ImportSummary(rejected=list(rejected))
    domains = {domain.slug: domain for domain in Domain.objects.all()}
    for start in range(0, len(records), batch_size):
        batch = records[start : start + batch_size]
        with transaction.atomic():
            _import_batch(batch, summary, domains)
        if progress:
            progress(len(batch))
    for start in range(0, len(participants), batch_size):
        with transaction.atomic():
            _import_participants(list(participants[start : start + batch_size]), summary)
    audit_log(
        actor=None,
        action="project.import",
        created=summary.created,
        updated=summary.updated,
        rejected=len(summary.rejected),
        participants=summary.participants,
        organisations_created=summary.organisations_created,
    )
    return summary


@transaction.atomic
def project_update(
    *,
    actor: User,
    project: ResearchProject,
    tags: list[str] | None = None,
    domains: Iterable[Domain] | None = None,
    **fields,
) -> ResearchProject:
    """A holder (or a coordinator) changes ``EDITABLE`` facts, the tags and the domains."""
    if not can_edit_project(actor, project):
        raise PermissionDenied
    unknown = set(fields) - EDITABLE
    if unknown:
        raise TypeError(f"not editable on a project: {', '.join(sorted(unknown))}")
    project = ResearchProject.objects.select_for_update().get(pk=project.pk)
    changed = sorted(name for name, value in fields.items() if getattr(project, name) != value)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean(exclude=["domains", "tags", "source", "source_id"])
    project.save(update_fields=[*fields, "updated_at"])
    if tags is not None:
        project.tags.set(tags)
        changed.append("tags")
    if domains is not None:
        project.domains.set(domains)
        changed.append("domains")
    project_search_vector_refresh([project.pk])
    projects_imported([project.pk])
    audit_log(actor=actor, action="project.update", target=project, changed=changed)
    return project


def _require_manager(actor: User) -> None:
    if not can_manage_projects(actor):
        raise PermissionDenied


@transaction.atomic
def project_holder_grant(*, actor: User, project: ResearchProject, member: User) -> None:
    _require_manager(actor)
    if not can_hold_projects(member):
        raise ValidationError(_("Only a verified member in good standing can hold a project."))
    assign_perm(HOLD_PROJECT, member, project)
    audit_log(actor=actor, action="project.holder_grant", target=project, member=member.pk)


@transaction.atomic
def project_holder_revoke(*, actor: User, project: ResearchProject, member: User) -> None:
    _require_manager(actor)
    remove_perm(HOLD_PROJECT, member, project)
    audit_log(actor=actor, action="project.holder_revoke", target=project, member=member.pk)


@transaction.atomic
def project_claim_create(*, actor: User, project: ResearchProject, message: str) -> ProjectClaim:
    """A member says "this is my project"; a coordinator decides (project_claim_decide)."""
    if not can_claim_project(actor, project):
        raise PermissionDenied
    # The member's row is locked: a double click sends two claims at once, and the second must
    # find the first (not break on the one-pending-claim constraint).
    User.objects.select_for_update().get(pk=actor.pk)
    if ProjectClaim.objects.filter(
        project=project, member=actor, status=ProjectClaim.Status.PENDING
    ).exists():
        raise ValidationError(_("You have already asked to hold this project."))
    claim = ProjectClaim(project=project, member=actor, message=message.strip())
    claim.full_clean()
    claim.save()
    audit_log(actor=actor, action="project.claim", target=project, claim=claim.pk)
    return claim


@transaction.atomic
def project_claim_decide(
    *, actor: User, claim: ProjectClaim, approve: bool, reason: str = ""
) -> ProjectClaim:
    _require_manager(actor)
    claim = (
        ProjectClaim.objects.select_for_update(of=("self",))
        .select_related("project", "member")
        .get(pk=claim.pk)
    )
    if claim.status != ProjectClaim.Status.PENDING:
        raise ValidationError(_("This claim is already decided."))
    if approve:
        project_holder_grant(actor=actor, project=claim.project, member=claim.member)
    claim.status = ProjectClaim.Status.APPROVED if approve else ProjectClaim.Status.DECLINED
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.reason = reason.strip()[:2000]
    claim.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    audit_log(
        actor=actor,
        action="project.claim_decide",
        target=claim.project,
        claim=claim.pk,
        approved=approve,
    )
    return claim


@transaction.atomic
def project_contact_save(
    *, actor: User, project: ResearchProject, contact: ProjectContact | None = None, **fields
) -> ProjectContact:
    """A holder adds a point of contact or corrects one (``CONTACT_FIELDS``). They vouch for
    the details they enter: the contact counts as verified now."""
    if not can_edit_project(actor, project):
        raise PermissionDenied
    if contact is not None and contact.project_id != project.pk:
        raise PermissionDenied
    unknown = set(fields) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not editable on a contact: {', '.join(sorted(unknown))}")
    contact = contact or ProjectContact(project=project)
    changed = sorted(name for name, value in fields.items() if getattr(contact, name) != value)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.verified_at = timezone.now()
    contact.full_clean()
    created = contact.pk is None
    contact.save()
    project_stale_flag_clear(project=project)
    # The entry names the fields, not their values (personal data).
    audit_log(
        actor=actor,
        action="project.contact_add" if created else "project.contact_update",
        target=project,
        contact=contact.pk,
        fields=changed,
    )
    return contact


@transaction.atomic
def project_contact_remove(*, actor: User, contact: ProjectContact) -> None:
    project = contact.project
    if not can_edit_project(actor, project):
        raise PermissionDenied
    contact_id = contact.pk
    contact.delete()
    project_stale_flag_clear(project=project)
    audit_log(actor=actor, action="project.contact_remove", target=project, contact=contact_id)

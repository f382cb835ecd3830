"""Tag hygiene for knowledge managers (SPEC §5): the tags with their use counts, unused and
near-duplicate tags, and the merge, rename and delete actions, each audited.

Tags are django-taggit's, shared by Knowledge Factory items and research projects. A tag's name
is itself content: a tag used only on LEA-only items tells what LEA members write about. So a
knowledge manager sees a tag only when it is used on something they may read (the items of
``community.visibility.knowledge_item_filter``, the projects of ``project_filter``) or on
nothing at all, and its counts count only those; the actions accept only such tags. A merge
still moves every use of the tags merged, including the ones the manager cannot read.
"""

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _
from taggit.models import Tag, TaggedItem

from community.audit import audit_log
from community.models import User
from community.visibility import can_review_knowledge, knowledge_item_filter, project_filter
from ipup.models import ResearchProject

from ..indexing import item_index
from ..models import Follow, Item

# Near duplicates: spellings closer than this (difflib's ratio of the normalised names) ...
SIMILARITY = 0.9
# ... of at least this many letters (short names are too often alike by chance) ...
FUZZY_MIN_LENGTH = 6
# ... compared only within a bucket of the same first letters and of nearly the same length,
# and never more than this many comparisons in all, so the page stays fast at 5,000 tags.
BUCKET_PREFIX = 3
MAX_LENGTH_GAP = 2
MAX_COMPARISONS = 200_000
# How many names of deleted tags an audit entry keeps.
AUDIT_NAMES = 200


@dataclass
class TagRow:
    id: int
    name: str
    slug: str
    items: int  # Knowledge Factory items the reader may open
    projects: int  # research projects the reader may see
    uses: int  # every use, readable or not (0: unused)
    follows: int = 0
    key: str = field(default="", repr=False)

    @property
    def is_unused(self) -> bool:
        return self.uses == 0

    @property
    def is_deletable(self) -> bool:
        return self.uses == 0 and self.follows == 0


def _require_knowledge_manager(actor: User) -> None:
    if not can_review_knowledge(actor):
        raise PermissionDenied(_("Only knowledge managers tidy the tags."))


def _visible_tags(user):
    """Tags ``user`` may see, annotated with their counts (one query)."""
    item_type = ContentType.objects.get_for_model(Item)
    project_type = ContentType.objects.get_for_model(ResearchProject)
    uses = "taggit_taggeditem_items"
    items = Item.objects.filter(knowledge_item_filter(user)).values("pk")
    projects = ResearchProject.objects.filter(project_filter(user)).values("pk")
    return Tag.objects.annotate(
        items=Count(
            uses,
            filter=Q(**{f"{uses}__content_type": item_type, f"{uses}__object_id__in": items}),
        ),
        projects=Count(
            uses,
            filter=Q(**{f"{uses}__content_type": project_type, f"{uses}__object_id__in": projects}),
        ),
        uses=Count(uses),
    ).filter(Q(items__gt=0) | Q(projects__gt=0) | Q(uses=0))


def tag_rows_for(user, *, ids=None) -> list[TagRow]:
    """Every tag ``user`` may see with its counts, by name (two queries)."""
    tags = _visible_tags(user)
    if ids is not None:
        tags = tags.filter(pk__in=list(ids))
    rows = [
        TagRow(id=t.pk, name=t.name, slug=t.slug, items=t.items, projects=t.projects, uses=t.uses)
        for t in tags.order_by("name", "pk")
    ]
    follows = Follow.objects.filter(tag__isnull=False)
    if ids is not None:
        follows = follows.filter(tag_id__in=[row.id for row in rows])
    counts = dict(follows.values_list("tag_id").annotate(n=Count("pk")).values_list("tag_id", "n"))
    for row in rows:
        row.follows = counts.get(row.id, 0)
    return rows


def normalised(name: str) -> str:
    """ "Cyber-crimes " -> "cybercrime": case, spaces and punctuation, and a plural "s"."""
    key = "".join(ch for ch in name.casefold() if ch.isalnum())
    if len(key) > 3 and key.endswith("s") and not key.endswith("ss"):
        key = key[:-1]
    return key


class _Groups:
    """Union-find over tag ids."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def tag_near_duplicates(rows: list[TagRow]) -> list[list[TagRow]]:
    """Groups of tags spelt alike: the same normalised name ("cyber-crime", "Cybercrime "),
    or normalised names of six letters or more that difflib finds 90 % alike
    ("surveillance", "surveilance"). Bounded: fuzzy comparisons only between names of the same
    first three letters and nearly the same length, ``MAX_COMPARISONS`` at most."""
    groups = _Groups()
    by_key: dict[str, list[TagRow]] = defaultdict(list)
    for row in rows:
        row.key = normalised(row.name)
        if row.key:
            by_key[row.key].append(row)
    for same in by_key.values():
        for row in same[1:]:
            groups.join(row.id, same[0].id)
    buckets: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        if len(key) >= FUZZY_MIN_LENGTH:
            buckets[key[:BUCKET_PREFIX]].append(key)
    budget = MAX_COMPARISONS
    for keys in buckets.values():
        keys.sort(key=len)
        for i, a in enumerate(keys):
            matcher = difflib.SequenceMatcher(None, b=a, autojunk=False)
            for b in keys[i + 1 :]:
                if len(b) - len(a) > MAX_LENGTH_GAP:
                    break
                budget -= 1
                if budget < 0:
                    return _collect(rows, groups)
                matcher.set_seq1(b)
                if (
                    matcher.real_quick_ratio() >= SIMILARITY
                    and matcher.quick_ratio() >= SIMILARITY
                    and matcher.ratio() >= SIMILARITY
                ):
                    groups.join(by_key[b][0].id, by_key[a][0].id)
    return _collect(rows, groups)


def _collect(rows: list[TagRow], groups: _Groups) -> list[list[TagRow]]:
    found: dict[int, list[TagRow]] = defaultdict(list)
    for row in rows:
        if row.id in groups.parent:
            found[groups.find(row.id)].append(row)
    # The most used first: the page offers to keep it.
    result = [
        sorted(g, key=lambda r: (-(r.items + r.projects), r.name.casefold(), r.id))
        for g in found.values()
    ]
    result = [g for g in result if len(g) > 1]
    return sorted(result, key=lambda g: g[0].name.casefold())


def _checked(actor: User, tags: list[Tag]) -> None:
    """Only tags the actor may see (else their names would be given away by the outcome)."""
    wanted = {tag.pk for tag in tags}
    if len({row.id for row in tag_rows_for(actor, ids=wanted)}) != len(wanted):
        raise ValidationError(_("No such tag."))


def _tagged_item_ids(tag_ids: list[int]) -> list[int]:
    item_type = ContentType.objects.get_for_model(Item)
    return list(
        TaggedItem.objects.filter(tag_id__in=tag_ids, content_type=item_type)
        .values_list("object_id", flat=True)
        .distinct()
    )


def _keep_first(rows) -> tuple[list[int], list[int]]:
    """Split ``(pk, *owner)`` rows into the first row of each owner (kept) and the others."""
    seen, keep, drop = set(), [], []
    for pk, *owner in rows:
        owner = tuple(owner)
        (drop if owner in seen else keep).append(pk)
        seen.add(owner)
    return keep, drop


@transaction.atomic
def tag_merge(*, actor: User, sources: list[Tag], target: Tag) -> dict:
    """Merge ``sources`` into ``target``: every object and every follower of a source gets the
    target (once: objects or followers that already have it, or had two of the sources, keep
    one row), then the sources are deleted. Returns the counts."""
    _require_knowledge_manager(actor)
    sources = [tag for tag in {tag.pk: tag for tag in sources}.values() if tag.pk != target.pk]
    if not sources:
        raise ValidationError(_("Choose at least one tag to merge into another."))
    _checked(actor, [*sources, target])
    source_ids = sorted(tag.pk for tag in sources)
    # Locked in id order: two merges at once wait for each other instead of deadlocking.
    locked = list(Tag.objects.select_for_update().filter(pk__in=[*source_ids, target.pk]))
    if len(locked) != len(source_ids) + 1:
        raise ValidationError(_("No such tag."))
    names = sorted(tag.name for tag in locked if tag.pk != target.pk)
    items = _tagged_item_ids(source_ids)

    has_target = TaggedItem.objects.filter(
        tag=target, content_type_id=OuterRef("content_type_id"), object_id=OuterRef("object_id")
    )
    duplicates, _by_model = (
        TaggedItem.objects.filter(tag_id__in=source_ids).filter(Exists(has_target)).delete()
    )
    keep, drop = _keep_first(
        TaggedItem.objects.filter(tag_id__in=source_ids)
        .order_by("pk")
        .values_list("pk", "content_type_id", "object_id")
    )
    duplicates += TaggedItem.objects.filter(pk__in=drop).delete()[0]
    moved = TaggedItem.objects.filter(pk__in=keep).update(tag=target)

    follows_dropped, _by_model = (
        Follow.objects.filter(tag_id__in=source_ids)
        .filter(Exists(Follow.objects.filter(tag=target, member_id=OuterRef("member_id"))))
        .delete()
    )
    keep, drop = _keep_first(
        Follow.objects.filter(tag_id__in=source_ids).order_by("pk").values_list("pk", "member_id")
    )
    follows_dropped += Follow.objects.filter(pk__in=drop).delete()[0]
    follows_moved = Follow.objects.filter(pk__in=keep).update(tag=target)

    Tag.objects.filter(pk__in=source_ids).delete()
    item_index(items)
    counts = {
        "moved": moved,
        "duplicates_removed": duplicates,
        "follows_moved": follows_moved,
        "follows_removed": follows_dropped,
        "items_reindexed": len(items),
    }
    audit_log(
        actor=actor,
        action="knowledge.tag_merge",
        target=target,
        before={"tags": [*names, target.name]},
        after={"tags": [target.name]},
        **counts,
    )
    return counts


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Give the tag a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("A tag name has at most 100 characters.")})
    if "," in name or '"' in name:
        raise ValidationError({"name": _("A tag name cannot contain commas or quotes.")})
    return name


def _free_slug(tag: Tag, name: str) -> str:
    base = slugify(name, allow_unicode=True)[:90] or f"tag-{tag.pk}"
    taken = set(
        Tag.objects.filter(slug__startswith=base).exclude(pk=tag.pk).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        slug, n = f"{base}_{n}", n + 1
    return slug


@transaction.atomic
def tag_rename(*, actor: User, tag: Tag, name: str) -> Tag:
    """Give ``tag`` a new name (and slug). A name another tag has (in any case) is refused:
    merging the two is what keeps their uses together."""
    _require_knowledge_manager(actor)
    name = _clean_name(name)
    _checked(actor, [tag])
    tag = Tag.objects.select_for_update().get(pk=tag.pk)
    if Tag.objects.filter(name__iexact=name).exclude(pk=tag.pk).exists():
        raise ValidationError(
            {
                "name": _("A tag named “%(name)s” already exists: merge the two tags instead.")
                % {"name": name}
            }
        )
    if name == tag.name:
        return tag
    before = {"name": tag.name, "slug": tag.slug}
    tag.name, tag.slug = name, _free_slug(tag, name)
    tag.save(update_fields=["name", "slug"])
    items = _tagged_item_ids([tag.pk])
    item_index(items)
    audit_log(
        actor=actor,
        action="knowledge.tag_rename",
        target=tag,
        before=before,
        after={"name": tag.name, "slug": tag.slug},
        items_reindexed=len(items),
    )
    return tag


@transaction.atomic
def tag_delete_unused(*, actor: User, tag_ids: list[int] | None = None) -> int:
    """Delete the tags that nothing uses and nobody follows (all of them, or those of
    ``tag_ids``). Returns how many were deleted."""
    _require_knowledge_manager(actor)
    unused = Tag.objects.filter(
        ~Exists(TaggedItem.objects.filter(tag=OuterRef("pk"))),
        ~Exists(Follow.objects.filter(tag=OuterRef("pk"))),
    )
    if tag_ids is not None:
        unused = unused.filter(pk__in=list(tag_ids))
    doomed = list(unused.select_for_update().order_by("name").values_list("pk", "name"))
    if not doomed:
        return 0
    # Re-checked under the lock by the same conditions, in the DELETE itself.
    _total, by_model = unused.filter(pk__in=[pk for pk, _name in doomed]).delete()
    deleted = by_model.get(Tag._meta.label, 0)
    audit_log(
        actor=actor,
        action="knowledge.tag_delete_unused",
        before={"tags": [name for _pk, name in doomed][:AUDIT_NAMES]},
        after={"tags": []},
        deleted=deleted,
    )
    return deleted

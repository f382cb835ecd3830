"""Faceted full-text search of the Knowledge Factory (SPEC §5): type, domain, tag, year and
access level, over the published items the reader may open.

- The visibility rule is inside every query: the results, their count and each facet's counts
  start from ``Item.objects.visible_to(user).published()``, so an item the reader may not open
  is never listed, never counted and never names a tag in the tag facet.
- Standard faceting: a facet's counts apply every *other* facet's selection (ticking "Study"
  still shows how many reports there are), values of one facet are OR-ed, facets AND-ed. Each
  facet is one aggregate query.
- Text goes through ``websearch_to_tsquery`` (``"exact phrase"``, ``-word``, ``or``) against the
  stored, GIN-indexed ``search_vector`` (title A, summary and tags B, text C; kept by
  ``knowledge_factory.indexing.item_index``), ranked by ``ts_rank_cd``, then newest.
- Bounded cost, and the best match found whatever its age: the candidates ranked are those of
  the global search (``ileanet.search.candidates``, whose docstring gives the design and the
  measurements) — the newest title matches (the title's own GIN index), exact-phrase matches
  and the newest matches, at most ``CANDIDATE_CAP`` each. Counts (of results and in facets)
  are taken over the same candidates and shown as "N+" when the cap was reached.
"""

import hashlib
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.db.models import Case, Count, F, TextField, Value, When
from django.db.models.functions import Concat
from django.http import QueryDict
from django.utils.translation import get_language, gettext
from taggit.models import TaggedItem

from community.search import _highlight, headline
from community.visibility import knowledge_audience_key
from ileanet.search import SLICE, candidates, prepare, query_text

from .indexing import CONFIG
from .models import AccessLevel, CatalogueVersion, Item, ItemType

PAGE_SIZE = 20
CANDIDATE_CAP = SLICE
BROWSE_CACHE_SECONDS = 600
# Weights of D, C, B, A (text C, summary and tags B, title A): a title match outweighs the
# words repeated in a text.
RANK_WEIGHTS = [0.05, 0.2, 0.5, 1.0]
# A facet lists its most frequent values (and always the selected ones).
FACET_SIZE = 15
MAX_SELECTED = 20


@dataclass(frozen=True)
class Filters:
    """What the reader ticked: values within a facet are alternatives."""

    types: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    years: tuple[int, ...] = ()
    tiers: tuple[str, ...] = ()

    @classmethod
    def from_querydict(cls, data: QueryDict) -> "Filters":
        def values(name, allowed=None, *, max_length=100):
            seen = []
            for value in data.getlist(name)[:MAX_SELECTED]:
                value = value.strip()[:max_length]
                if "\x00" in value:  # PostgreSQL refuses NUL in a string: no such value
                    continue
                if value and value not in seen and (allowed is None or value in allowed):
                    seen.append(value)
            return tuple(seen)

        years = tuple(int(y) for y in values("year", max_length=4) if y.isdigit())
        return cls(
            types=values("type", set(ItemType.values)),
            domains=values("domain"),
            tags=values("tag"),
            years=years,
            tiers=values("access", set(AccessLevel.values)),
        )

    def __bool__(self):
        return any((self.types, self.domains, self.tags, self.years, self.tiers))


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class KnowledgeSearch:
    query: str
    filters: Filters
    results: list
    count: int
    capped: bool
    page: int
    has_next: bool
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    # The query was cut to MAX_QUERY_LENGTH characters.
    shortened: bool = False
    # The query held only words too common to search for ("the and of").
    too_common: bool = False
    # The query only excluded words ("-drone").
    exclusions_only: bool = False


def _filtered(queryset, filters: Filters, *, without: str = ""):
    """``queryset`` narrowed by every facet's selection but ``without``'s."""
    if filters.types and without != "type":
        queryset = queryset.filter(type__in=filters.types)
    if filters.tiers and without != "access":
        queryset = queryset.filter(tier__in=filters.tiers)
    if filters.years and without != "year":
        queryset = queryset.filter(facet_year__in=filters.years)
    if filters.domains and without != "domain":
        queryset = queryset.filter(
            pk__in=Item.domains.through.objects.filter(domain__slug__in=filters.domains).values(
                "item_id"
            )
        )
    if filters.tags and without != "tag":
        queryset = queryset.filter(
            pk__in=TaggedItem.objects.filter(
                content_type__app_label="knowledge_factory",
                content_type__model="item",
                tag__slug__in=filters.tags,
            ).values("object_id")
        )
    return queryset


def _candidates(matches, prepared):
    """The rows worth ranking among ``matches`` (a subquery: no query of its own)."""
    query, phrase, _findable = prepared
    return matches.filter(pk__in=candidates("items", matches, query, phrase))


def knowledge_search(user, text: str = "", filters: Filters | None = None, *, page: int = 1):
    """One page of the published items ``user`` may open matching ``text`` and ``filters``,
    with each facet's counts."""
    filters = filters or Filters()
    text, shortened = query_text(text)
    page = max(1, page)
    base = Item.objects.visible_to(user).published()
    query = None
    capped = False
    if text:
        prepared = prepare(text)
        tsquery, _phrase, findable = prepared
        if not tsquery or not findable:
            # Only words too common to search for, or only exclusions ("-drone", which no
            # index can answer): said on the page, nothing searched.
            return KnowledgeSearch(
                query=text, filters=filters, results=[], count=0, capped=False, page=1,
                has_next=False, shortened=shortened, too_common=not tsquery,
                exclusions_only=bool(tsquery),
            )  # fmt: skip
        query = SearchQuery(text, search_type="websearch", config=CONFIG)
        matches = base.filter(search_vector=query)
        capped = _filtered(matches, filters).values("pk")[: CANDIDATE_CAP + 1].count() > (
            CANDIDATE_CAP
        )
        scope = lambda facet="": _candidates(_filtered(matches, filters, without=facet), prepared)  # noqa: E731
    else:
        scope = lambda facet="": _filtered(base, filters, without=facet)  # noqa: E731

    listed = scope()
    if query is None:
        count, facets = _browse_counts(
            user, filters, lambda: (listed.count(), _facets(scope, filters))
        )
    else:
        count, facets = listed.count(), None
    start = (page - 1) * PAGE_SIZE
    if query is not None:
        rank = SearchRank(F("search_vector"), query, weights=RANK_WEIGHTS, cover_density=True)
        order = ("-rank", "-published_at", "-pk")
        # The page's rows are picked by rank first, so that the headlines (which read the whole
        # text) are made for these rows only.
        page_ids = (
            listed.annotate(rank=rank).order_by(*order).values("pk")[start : start + PAGE_SIZE + 1]
        )
        ordered = (
            Item.objects.filter(pk__in=page_ids)
            .annotate(
                rank=rank,
                title_marked=headline("title", query, highlight_all=True),
                snippet=headline(
                    Concat("summary", Value("\n"), "body", output_field=TextField()),
                    query, max_words=35, min_words=15, max_fragments=2,
                ),
            )
            .order_by(*order)
        )  # fmt: skip
    else:
        ordered = listed.order_by("-published_at", "-pk")[start : start + PAGE_SIZE + 1]
    rows = list(
        ordered.defer("body", "body_html", "search_vector", "title_vector").prefetch_related(
            "domains", "tags"
        )
    )
    results = rows[:PAGE_SIZE]
    for item in results:
        if query is not None:
            item.title_html = _highlight(item.title_marked)
            item.snippet_html = _highlight(item.snippet)
        else:
            item.title_html = item.title
            item.snippet_html = item.summary
    search = KnowledgeSearch(
        query=text,
        filters=filters,
        results=results,
        count=count,
        capped=capped,
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        facets=facets if facets is not None else _facets(scope, filters),
        shortened=shortened,
    )
    return search


def _browse_counts(user, filters: Filters, compute):
    """The count and facets of browsing (no text): the same for every reader of the same tiers
    and filters, so cached — under the catalogue's version, which every write to items
    changes in its own transaction (``indexing.item_index``): a count is never read after the
    change that made it wrong has committed, so an item moved to LEA only never lingers, even
    as a count, for a reader who may no longer open it."""
    version = CatalogueVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    if version is None:
        return compute()
    selected = hashlib.sha256(repr(filters).encode()).hexdigest()[:32]
    # The language too: domain names are translated as the facets are made.
    key = f"kf:browse:{version}:{knowledge_audience_key(user)}:{get_language()}:{selected}"
    counts = cache.get(key)
    if counts is None:
        counts = compute()
        cache.set(key, counts, BROWSE_CACHE_SECONDS)
    return counts


def _facets(scope, filters: Filters) -> dict[str, list[FacetValue]]:
    type_labels = dict(ItemType.choices)
    tier_labels = dict(AccessLevel.choices)
    rows = {
        "type": _counts(scope("type"), "type", selected=filters.types),
        "access": _counts(scope("access"), "tier", selected=filters.tiers),
        "year": _counts(scope("year"), "facet_year", selected=filters.years),
        "domain": _counts(scope("domain"), "domains__slug", "domains__name", filters.domains),
        "tag": _counts(scope("tag"), "tags__slug", "tags__name", filters.tags),
    }
    return {
        "type": _facet(rows["type"], filters.types, lambda v, _n: type_labels.get(v, v)),
        "domain": _facet(
            rows["domain"], filters.domains, lambda v, name: gettext(name) if name else v
        ),
        "tag": _facet(rows["tag"], filters.tags),
        "year": _facet(
            [(str(v), n, c) for v, n, c in rows["year"]],
            [str(y) for y in filters.years],
            sort=lambda fv: fv.value,
            reverse=True,
        ),
        "access": _facet(rows["access"], filters.tiers, lambda v, _n: tier_labels.get(v, v)),
    }


def _counts(queryset, value: str, name: str | None = None, selected=()) -> list[tuple]:
    """(value, name, count) of the facet ``value`` over ``queryset``, the ticked values and the
    most frequent others: one aggregate query."""
    fields = [value, name] if name else [value]
    order = ["-n", value]
    if selected:
        order.insert(0, Case(When(**{f"{value}__in": list(selected)}, then=0), default=1))
    rows = (
        queryset.order_by()
        .filter(**{f"{value}__isnull": False})
        .values(*fields)
        # No DISTINCT: an item is one row per value (taggit and the domains' table hold a pair
        # once, the filters are subqueries), and a plain count is a hash aggregate.
        .annotate(n=Count("pk"))
        .order_by(*order)[: FACET_SIZE + len(selected)]
    )
    return [(row[value], row[name] if name else None, row["n"]) for row in rows]


def _facet(rows, selected, label=None, *, sort=None, reverse=False) -> list[FacetValue]:
    label = label or (lambda value, name: name or value)
    values = [
        FacetValue(str(value), label(value, name), count, str(value) in selected)
        for value, name, count in rows
    ]
    listed = {fv.value for fv in values}
    # A ticked value with no match stays listed (to untick it), under the words the reader
    # sent: looking its name up could tell them a tag exists on items they may not open.
    values += [FacetValue(v, label(v, None), 0, True) for v in selected if v not in listed]
    if sort is not None:
        values.sort(key=sort, reverse=reverse)
    return values

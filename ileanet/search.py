"""One search box for the whole platform (SPEC §6.1): threads (by title), posts, published
Knowledge Factory items, needs and research projects, on one result page grouped by kind.

What it reads: stored tsvectors with GIN indexes — ``Post.search_vector`` (the thread's title A
for a first post, the body B; community.search.post_index), ``Thread.title_vector`` and
``Need.search_vector`` (generated columns, so always fresh), ``Item.search_vector`` /
``Item.title_vector`` (knowledge_factory.indexing) and ``ResearchProject.search_vector``
(ipup.services.projects). Queries use web-search syntax (``websearch_to_tsquery``:
``"exact phrase"``, ``-word``, ``or``).

Who sees what: every query starts from the kind's visibility rule of community.visibility
(``Post/Thread/Need/Item.objects.visible_to``, ``project_filter``; items narrowed to published
ones). The rule is part of the SQL of every stage — candidates, counts, ranking and snippets — so
a result, a snippet and a count only ever come from what the reader may open.

Ranking — why two stages. Ranking every match (``ts_rank_cd`` reads each row's vector) costs
in proportion to the number of matches: 450,000 posts for a word in 90% of them. The old posts
search bounded it by ranking only the 500 *newest* matches, so an older, better match (the one
document with the exact phrase, the thread whose *title* is the word) was never even looked at.
RUM (an index that returns rows in rank order) is not installed on our PostgreSQL servers, so
the engine keeps plain GIN and bounds the work differently:

1. Stage 1 gathers at most ``SLICE`` candidates from each of several index-driven slices, all
   inside the visibility rule and the query's own match:
   (a) title matches (``title_vector``, its own small GIN index), newest first — the best
       match of a single word is usually the document *about* it;
   (b) exact-phrase matches (``phraseto_tsquery`` of the words) when the query has several
       words — the best match of several words is usually the one that has them together;
       GIN gives the rows holding every word, PostgreSQL re-checks their positions and the
       slice stops at ``SLICE`` hits;
   (c) every match, newest first (what a reader expects among equals).
2. Stage 2 ranks only the union (at most three times ``SLICE`` rows) with ``ts_rank_cd`` (cover
   density: words close together rank higher; weights A 1.0, B 0.4, C 0.2, D 0.1; divided by
   1 + log(length) so a long text does not win by volume), ties broken by recency.

Bounds. The title and newest slices stop after ``SLICE`` rows (read from the date's index
backwards for a common word, from the GIN bitmap for a rare one); counts stop at ``COUNT_CAP``
("1,000+"); when a kind has at most ``SLICE`` matches the newest slice holds them all and the
others are skipped. The phrase slice is the one not bounded by ``SLICE``: GIN cannot check
positions, so a phrase whose words are common but rarely together re-checks every row holding
all the words (measured below: ~100 ms more for two words each in half of 500,000 posts). We
keep it — it is what finds the old document with the exact phrase — and its cost grows with
the rows holding *all* the words, not with the table. What the design gives up: an old
document that is neither a title nor a phrase match (its words scattered) competes only with
the newest matches and may rank below them.

Measured on the bench data (bench/: 500,000 posts in 5,000 threads, 100,000 items, 10,000
projects; PostgreSQL 15, 2 CPUs), the engine alone for the bench's LEA member, 21 runs, p50 /
p95: rare word (~0.1%) 20 / 25 ms; a word in ~10% of documents 28 / 39 ms; a word in ~90%
52 / 55 ms; a two-word phrase 8 / 9 ms; two common words never adjacent 115 / 117 ms; one kind,
page 5, 19 / 21 ms. Before the ranking used the dates' indexes (``NULLS LAST`` on a NOT NULL
date had kept PostgreSQL from reading them backwards) the common word took 239 ms: the newest
slice then sorted all 450,000 matches. ``make bench`` (whole pages through gunicorn, on a
machine other test runs kept at load 4-8, where the home page took p50 487 ms / p95 865 ms):
rare 592 / 1,024 ms, ~10% 619 / 1,105 ms, ~90% 776 / 1,453 ms.

Thread titles: a stored ``title_vector`` on the thread (a generated column, GIN-indexed)
rather than the weight-A title in the first post's vector, because a weight cannot be searched
through GIN: ``drone:A`` on the posts' index re-checks every post holding the word (50,500) and
took 194 ms for the newest 200 title matches; the thread table's own index took 3.7 ms.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQueryField, SearchRank
from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from community.search import _START, _STOP, CONFIG, _highlight, headline

MAX_QUERY_LENGTH = 200
SLICE = 200  # candidates per stage-1 slice
COUNT_CAP = 1000  # counts past this read "1,000+"
PAGE_SIZE = 20  # results per page of one kind
TOP = 3  # results per kind on the grouped page
RANK_NORMALISATION = 1  # ts_rank_cd: divide by 1 + log(number of words)


def plain(snippet: str) -> str:
    """A snippet as plain text, the match markers removed (for the API)."""
    return (snippet or "").replace(_START, "").replace(_STOP, "")


class _Matches(Func):
    """``vector @@ query`` as a boolean expression (the query already a tsquery)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _tsquery(text: str):
    return Cast(Value(text), SearchQueryField())


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    title_html: str
    snippet: str  # with the match markers
    url: str
    date: object = None
    context: str = ""  # e.g. the room of a post

    @property
    def snippet_html(self) -> str:
        return _highlight(self.snippet)

    @property
    def snippet_text(self) -> str:
        return plain(self.snippet)


# --- The kinds ------------------------------------------------------------------------------


class Kind(ABC):
    key: str
    label: str
    vector = "search_vector"
    title_vector: str | None = None
    date: str = "created_at"
    has_title = True  # a ``title`` column to highlight
    date_may_be_missing = False

    @abstractmethod
    def visible(self, user) -> QuerySet:
        """The rows of this kind ``user`` may open (its rule in community.visibility)."""

    @abstractmethod
    def snippet_source(self):
        """The text snippets are cut from (None: no snippet)."""

    @abstractmethod
    def fetch(self, queryset) -> QuerySet:
        """``queryset`` narrowed to the columns a hit shows."""

    @abstractmethod
    def hits(self, rows) -> list[Hit]:
        """The fetched rows as hits."""


class Threads(Kind):
    key, label = "threads", _("Threads")
    vector = "title_vector"
    date = "last_post_at"

    def visible(self, user):
        from community.models import Thread

        return Thread.objects.visible_to(user).filter(merged_into__isnull=True)

    def snippet_source(self):
        return None

    def fetch(self, queryset):
        return queryset.select_related("room").only(
            "title", "last_post_at", "room__name", "room__slug"
        )

    def hits(self, rows):
        return [
            Hit(self.key, t.pk, t.title, _highlight(t.title_snippet), "",
                reverse("community:thread-detail", args=[t.pk]), t.last_post_at, t.room.name)
            for t in rows
        ]  # fmt: skip


class Posts(Kind):
    key, label = "posts", _("Posts")
    has_title = False

    def visible(self, user):
        from community.models import Post

        return Post.objects.visible_to(user)

    def snippet_source(self):
        return F("body")

    def fetch(self, queryset):
        return queryset.select_related("thread__room").only(
            "created_at", "thread__title", "thread__room__name", "thread__room__slug"
        )

    def hits(self, rows):
        return [
            Hit(self.key, p.pk, p.thread.title, escape(p.thread.title), p.snippet,
                reverse("community:post-detail", args=[p.pk]), p.created_at,
                p.thread.room.name)
            for p in rows
        ]  # fmt: skip


class Items(Kind):
    key, label = "items", _("Knowledge Factory")
    title_vector = "title_vector"
    date = "published_at"

    def visible(self, user):
        from knowledge_factory.models import Item

        # The rule shows reviewers and authors unpublished items too; search never does.
        return Item.objects.visible_to(user).published()

    def snippet_source(self):
        return Concat("summary", Value(" "), "body", output_field=TextField())

    def fetch(self, queryset):
        return queryset.only("title", "published_at", "type")

    def hits(self, rows):
        return [
            Hit(self.key, i.pk, i.title, _highlight(i.title_snippet), i.snippet,
                reverse("knowledge_factory:item", args=[i.pk]), i.published_at, i.get_type_display())
            for i in rows
        ]  # fmt: skip


class Needs(Kind):
    key, label = "needs", _("Needs")

    def visible(self, user):
        from ipup.models import Need

        return Need.objects.visible_to(user)

    def snippet_source(self):
        return Coalesce(F("description"), Value(""))

    def fetch(self, queryset):
        return queryset.only("title", "created_at", "status")

    def hits(self, rows):
        return [
            Hit(self.key, n.pk, n.title, _highlight(n.title_snippet), n.snippet,
                reverse("ipup:need-detail", args=[n.pk]), n.created_at, n.get_status_display())
            for n in rows
        ]  # fmt: skip


class Projects(Kind):
    key, label = "projects", _("Projects")
    date = "start_date"
    date_may_be_missing = True

    def visible(self, user):
        from community.visibility import project_filter
        from ipup.models import ResearchProject

        return ResearchProject.objects.filter(project_filter(user))

    def snippet_source(self):
        return Concat("summary", Value(" "), "objectives", output_field=TextField())

    def fetch(self, queryset):
        return queryset.only("acronym", "title", "start_date", "programme")

    def hits(self, rows):
        hits = []
        for p in rows:
            title = f"{p.acronym} — {p.title}" if p.acronym else p.title
            hits.append(
                Hit(self.key, p.pk, title, _highlight(p.title_snippet), p.snippet,
                    reverse("ipup:project-detail", args=[p.pk]), p.start_date, p.programme)
            )  # fmt: skip
        return hits


KINDS: dict[str, Kind] = {k.key: k for k in (Threads(), Posts(), Items(), Needs(), Projects())}


# --- The engine -----------------------------------------------------------------------------


@dataclass
class KindResults:
    kind: Kind
    count: int = 0
    capped: bool = False
    hits: list[Hit] = field(default_factory=list)
    page: int = 1
    has_next: bool = False

    @property
    def key(self):
        return self.kind.key

    @property
    def label(self):
        return self.kind.label


@dataclass
class SearchResults:
    query: str
    kind: str | None = None  # one kind, paginated; None: every kind, grouped
    truncated: bool = False  # the query was longer than MAX_QUERY_LENGTH
    stop_words_only: bool = False
    exclusions_only: bool = False  # only -words: nothing to look for
    groups: list[KindResults] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def selected(self) -> KindResults | None:
        return self.group(self.kind)

    def group(self, key: str) -> KindResults | None:
        return next((g for g in self.groups if g.key == key), None)


@dataclass
class PostFilters:
    """The posts search's own filters (the view resolves them through the visibility rule)."""

    room: object = None
    author: object = None
    since: object = None
    until: object = None
    impossible: bool = False  # a room or author the reader cannot name: no posts

    def apply(self, queryset):
        if self.impossible:
            return queryset.none()
        if self.room is not None:
            queryset = queryset.filter(thread__room=self.room)
        if self.author is not None:
            queryset = queryset.filter(author=self.author)
        if self.since is not None:
            queryset = queryset.filter(created_at__date__gte=self.since)
        if self.until is not None:
            queryset = queryset.filter(created_at__date__lte=self.until)
        return queryset


def _phrase_text(text: str) -> str:
    """The query's plain words (no operators, no excluded words), for the phrase slice."""
    words = [w.strip('"') for w in text.split() if not w.startswith("-") and w.lower() != "or"]
    return " ".join(w for w in words if w)


def _prepare(text: str) -> tuple[str, str, bool]:
    """The tsquery of ``text`` and of its words as a phrase ("" when there is none), as text,
    parsed once by PostgreSQL; and whether the query has a word to find (``-word`` alone
    matches nearly everything and no index can answer it: ``querytree`` says "T")."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q::text, querytree(q) <> 'T', phraseto_tsquery(%s::regconfig, %s)::text"
            " FROM websearch_to_tsquery(%s::regconfig, %s) q",
            [CONFIG, _phrase_text(text), CONFIG, text],
        )
        query, findable, phrase = cursor.fetchone()
    if "<->" not in phrase or phrase == query:
        phrase = ""
    return query, phrase, findable


def _date_order(kind: Kind) -> list:
    # NULLS LAST only where the date may be missing: on a NOT NULL date it would keep
    # PostgreSQL from reading the date's index backwards (and stopping after SLICE rows).
    return [F(kind.date).desc(nulls_last=kind.date_may_be_missing or None), "-pk"]


def _matches(kind: Kind, queryset, query: str):
    return queryset.filter(_Matches(F(kind.vector), _tsquery(query)))


def _candidates(kind: Kind, matches, query: str, phrase: str, *, every_match: bool):
    """Stage 1: the union of the bounded slices (a subquery, not fetched). ``every_match``:
    the newest SLICE are all the matches, the other slices would add nothing."""
    newest = matches.order_by(*_date_order(kind)).values_list("pk", flat=True)[:SLICE]
    if every_match:
        return newest
    slices = []
    if kind.title_vector:
        titled = matches.filter(_Matches(F(kind.title_vector), _tsquery(query)))
        slices.append(titled.order_by(*_date_order(kind)).values_list("pk", flat=True)[:SLICE])
    if phrase:
        together = matches.filter(_Matches(F(kind.vector), _tsquery(phrase)))
        slices.append(together.order_by().values_list("pk", flat=True)[:SLICE])
    return newest.union(*slices) if slices else newest


def query_text(text: str) -> tuple[str, bool]:
    """What a reader typed, as every search reads it: NUL (which PostgreSQL refuses) and runs
    of spaces made one space, cut to MAX_QUERY_LENGTH; and whether it was cut."""
    text = " ".join((text or "").replace("\x00", " ").split())
    return text[:MAX_QUERY_LENGTH], len(text) > MAX_QUERY_LENGTH


def prepare(text: str) -> tuple[str, str, bool]:
    """``_prepare`` for another search that ranks with this engine (one query)."""
    return _prepare(text)


def candidates(kind_key: str, matches, query: str, phrase: str):
    """Stage 1 for another search of one kind (the Knowledge Factory's faceted search):
    the bounded slices of ``matches`` — already narrowed to what the reader may open, the
    query's matches and any filter — for ``query`` and ``phrase`` from ``prepare``."""
    return _candidates(KINDS[kind_key], matches, query, phrase, every_match=False)


def _rank(kind: Kind, query: str):
    return SearchRank(
        F(kind.vector),
        _tsquery(query),
        cover_density=True,
        normalization=Value(RANK_NORMALISATION),
    )


def _headline(source, query: str, **options):
    return headline(source, _tsquery(query), **options)


def _kind_page(kind: Kind, base, query: str, phrase: str, *, few: bool, start: int, size: int):
    """Stage 2: rank the candidates, then fetch one page with its snippets (one query).
    ``few``: there are at most SLICE matches."""
    matches = _matches(kind, base, query)
    candidates = _candidates(kind, matches, query, phrase, every_match=few)
    ranked = (
        base.model.objects.filter(pk__in=candidates)
        .annotate(rank=_rank(kind, query))
        .order_by("-rank", *_date_order(kind))
        .values("pk")[start : start + size + 1]
    )
    snippets = {}
    if kind.snippet_source() is not None:
        snippets["snippet"] = _headline(
            kind.snippet_source(), query, max_words=35, min_words=15, max_fragments=2
        )
    if kind.has_title:
        snippets["title_snippet"] = _headline(F("title"), query, highlight_all=True)
    rows = list(
        kind.fetch(base.filter(pk__in=ranked))
        .annotate(rank=_rank(kind, query), **snippets)
        .order_by("-rank", *_date_order(kind))
    )
    return kind.hits(rows[:size]), len(rows) > size


def _count(kind: Kind, base, query: str) -> tuple[int, bool]:
    n = _matches(kind, base, query).order_by().values("pk")[: COUNT_CAP + 1].count()
    return min(n, COUNT_CAP), n > COUNT_CAP


def search(
    user,
    text: str,
    *,
    kind: str | None = None,
    page: int = 1,
    posts: PostFilters | None = None,
    top: int = TOP,
) -> SearchResults:
    """Search everything ``user`` may open. ``kind`` (a key of KINDS) gives that kind's
    ``page``; without it, the ``top`` best of every kind. Every kind is counted either way."""
    text, truncated = query_text(text)
    kind = kind if kind in KINDS else None
    results = SearchResults(text, kind=kind, truncated=truncated)
    if not text:
        return results
    query, phrase, findable = _prepare(text)
    if not query:
        results.stop_words_only = True
        return results
    if not findable:
        results.exclusions_only = True
        return results
    page = max(1, page)
    for each in KINDS.values():
        base = each.visible(user)
        if each.key == "posts" and posts is not None:
            base = posts.apply(base)
        group = KindResults(each)
        group.count, group.capped = _count(each, base, query)
        if group.count and (kind is None or kind == each.key):
            if kind is None:
                start, size = 0, top
            else:
                group.page = page
                start, size = (page - 1) * PAGE_SIZE, PAGE_SIZE
            group.hits, group.has_next = _kind_page(
                each, base, query, phrase, start=start, size=size,
                few=not group.capped and group.count <= SLICE,
            )  # fmt: skip
        results.groups.append(group)
    return results

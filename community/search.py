"""Full-text search over threads and posts (PostgreSQL; SPEC §6.1).

- Stored vectors: a post's body (weight B) and, for a thread's first post, the thread title
  (weight A); a GIN index on them.
- Web-search syntax (``"exact phrase" -word or``) through ``websearch_to_tsquery``.
- The visibility rule is applied **inside** the query, so results, snippets and counts only
  ever include what the reader may open.
- Bounded cost: ranking every match is what makes a common term slow (its cost grows with the
  number of matching rows). We first take at most ``CANDIDATE_CAP`` matches, newest first,
  using the index, and rank only those; the count is capped the same way ("500+"). A term that
  matches most documents costs the same as one that matches 500.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Post

CONFIG = "english"
CANDIDATE_CAP = 500
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200


# Markers PostgreSQL puts around matches; the snippet is escaped, then they become <mark>.
_START, _STOP = "\x02", "\x03"


def _highlight(snippet: str) -> str:
    text = escape(snippet or "")
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def post_index(post: Post) -> None:
    """Refresh a post's stored search vector (call after creating or editing it)."""
    thread = post.thread
    is_first = not Post.objects.filter(thread_id=thread.pk, created_at__lt=post.created_at).exists()
    title = thread.title if is_first else ""
    Post.objects.filter(pk=post.pk).update(
        search_vector=SearchVector(Value(title), weight="A", config=CONFIG)
        + SearchVector("body", weight="B", config=CONFIG)
    )


@dataclass
class SearchPage:
    query: str
    results: list
    count: int
    capped: bool
    page: int
    has_next: bool


def post_search(
    user,
    text: str,
    *,
    room=None,
    author=None,
    since=None,
    until=None,
    page: int = 1,
) -> SearchPage:
    text = (text or "").strip()[:MAX_QUERY_LENGTH]
    if not text:
        return SearchPage(text, [], 0, False, 1, False)
    query = SearchQuery(text, search_type="websearch", config=CONFIG)
    matches = Post.objects.visible_to(user).filter(search_vector=query)
    if room is not None:
        matches = matches.filter(thread__room=room)
    if author is not None:
        matches = matches.filter(author=author)
    if since is not None:
        matches = matches.filter(created_at__date__gte=since)
    if until is not None:
        matches = matches.filter(created_at__date__lte=until)
    candidate_ids = list(
        matches.order_by("-created_at").values_list("pk", flat=True)[: CANDIDATE_CAP + 1]
    )
    capped = len(candidate_ids) > CANDIDATE_CAP
    candidate_ids = candidate_ids[:CANDIDATE_CAP]
    page = max(1, page)
    start = (page - 1) * PAGE_SIZE
    ranked = (
        Post.objects.filter(pk__in=candidate_ids)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "-created_at")
        .values_list("pk", flat=True)[start : start + PAGE_SIZE + 1]
    )
    ranked = list(ranked)
    page_ids = ranked[:PAGE_SIZE]
    order = {pk: i for i, pk in enumerate(page_ids)}
    results = sorted(
        Post.objects.filter(pk__in=page_ids)
        .select_related("thread__room", "author")
        .annotate(
            snippet=SearchHeadline(
                "body",
                query,
                config=CONFIG,
                start_sel=_START,
                stop_sel=_STOP,
                max_words=35,
                min_words=15,
                max_fragments=2,
            )
        ),
        key=lambda post: order[post.pk],
    )
    for post in results:
        post.snippet_html = _highlight(post.snippet)
    return SearchPage(text, results, len(candidate_ids), capped, page, len(ranked) > PAGE_SIZE)

"""The stored search vector of forum posts (PostgreSQL full-text search, SPEC §6.1): a post's
body (weight B) and, for a thread's first post, the thread title (weight A), in a GIN index.

Searching is the global search's (``ileanet.search``), over posts, threads, Knowledge Factory
items, needs and projects; this module keeps the posts' vectors fresh and holds what every
search shares (the configuration, the snippet markers).
"""

from django.contrib.postgres.search import SearchHeadline, SearchVector
from django.db.models import F, Func, TextField, Value
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Post

# The text search configuration of every stored vector and every query.
CONFIG = "english"

# Markers ts_headline puts around matches (shared by every search of the platform): the
# snippet is escaped, then they become <mark>.
_START, _STOP = "\x02", "\x03"


def _highlight(snippet: str) -> str:
    text = escape(snippet or "")
    return mark_safe(text.replace(_START, "<mark>").replace(_STOP, "</mark>"))  # noqa: S308


def headline(source, query, **options) -> SearchHeadline:
    """A snippet of ``source`` (a field name or an expression) with the matches of ``query``
    between the markers. The markers are removed from the text first: a stored text holding one
    would otherwise open a <mark> the snippet never closes."""
    if isinstance(source, str):
        source = F(source)
    text = Func(source, Value(_START + _STOP), Value(""), function="translate",
                output_field=TextField())  # fmt: skip
    return SearchHeadline(text, query, config=CONFIG, start_sel=_START, stop_sel=_STOP, **options)


def post_index(post: Post) -> None:
    """Refresh a post's stored search vector (call after creating or editing it)."""
    thread = post.thread
    is_first = not Post.objects.filter(thread_id=thread.pk, created_at__lt=post.created_at).exists()
    title = thread.title if is_first else ""
    Post.objects.filter(pk=post.pk).update(
        search_vector=SearchVector(Value(title), weight="A", config=CONFIG)
        + SearchVector("body", weight="B", config=CONFIG)
    )

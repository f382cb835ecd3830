"""Bench data beyond the demo: a thread of 200 posts, a load of posts and Knowledge Factory
items for the global search, and research projects.

Idempotent: made once per database (the rooms' slugs and the rows' counts mark it), reused by
later runs. Written with set-based SQL, not the services: the bench measures reading, and
500,000 posts through the services would take an hour.
"""

import os

from django.db import connection, transaction

LOAD_ROOM = "bench-load"
THREAD_ROOM = "bench-thread"
THREAD_TITLE = "Bench thread of 200 posts"
# The global search's load (issue 15): posts and published items, each holding the common term
# (~90%), the middle one (~10%) and the rare one (~0.1%), in their text and in some titles.
LOAD_POSTS = int(os.environ.get("BENCH_POSTS", "500000"))
LOAD_ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
POSTS_PER_THREAD = 100
COMMON_TERM = "network"
MIDDLE_TERM = "drone"
RARE_TERM = "quokka"
ITEM_TITLE = "Bench item "


def _terms(seed: str) -> str:
    """SQL for the terms a row holds, from an integer expression ``seed`` spread over rows:
    the common one 9 rows in 10, the middle one 1 in 10, the rare one 1 in 1,000. (The queries
    below interpolate only this module's constants: hence their ``noqa: S608``.)"""
    return f"""
        CASE WHEN ({seed}) %% 10 <> 0 THEN ' {COMMON_TERM}' ELSE '' END
        || CASE WHEN ({seed}) %% 10 = 3 THEN ' {MIDDLE_TERM}' ELSE '' END
        || CASE WHEN ({seed}) %% 1000 = 7 THEN ' {RARE_TERM}' ELSE '' END
    """


def _room(slug: str, name: str):
    from community.models import Room
    from community.tiers import Tier

    room, _created = Room.objects.get_or_create(
        slug=slug, defaults={"name": name, "tier": Tier.MEMBERS}
    )
    return room


@transaction.atomic
def ensure_forum_dataset() -> None:
    from community.models import Post, Thread, User
    from community.search import post_index
    from community.services.forum import room_counters_refresh
    from ileanet.markdown import render_markdown

    authors = list(User.objects.filter(email__endswith="@example.org").order_by("pk"))
    thread_room = _room(THREAD_ROOM, "Bench: one long thread")
    if not Thread.objects.filter(room=thread_room).exists():
        thread = Thread.objects.create(room=thread_room, author=authors[0], title=THREAD_TITLE)
        posts = []
        for i in range(200):
            body = f"Reply {i}: **field notes** on checkpoint cooperation, with a [link](https://example.org/{i})."
            posts.append(Post(thread=thread, author=authors[i % len(authors)], body=body,
                              body_html=render_markdown(body)))  # fmt: skip
        Post.objects.bulk_create(posts)
        for post in Post.objects.filter(thread=thread):
            post_index(post)
        Thread.objects.filter(pk=thread.pk).update(post_count=200)
        room_counters_refresh([thread_room.pk])

    load_room = _room(LOAD_ROOM, "Bench: search load")
    threads = max(1, LOAD_POSTS // POSTS_PER_THREAD)
    if Thread.objects.filter(room=load_room).count() == threads:
        return
    with connection.cursor() as cursor:
        # A load of another size (BENCH_POSTS changed): made again. Bench rows have nothing
        # hanging off them, so plain deletes do.
        cursor.execute(
            "DELETE FROM community_post WHERE thread_id IN"
            " (SELECT id FROM community_thread WHERE room_id = %s)",
            [load_room.pk],
        )
        cursor.execute("DELETE FROM community_thread WHERE room_id = %s", [load_room.pk])
        cursor.execute(
            f"""
            INSERT INTO community_thread
                (room_id, title, author_id, created_at, is_pinned, is_locked, post_count,
                 last_post_at)
            SELECT %s, 'Load thread ' || g || {_terms("g * 7")}, %s,
                   now() - g * interval '5 minutes', false, false, %s,
                   now() - g * interval '5 minutes'
            FROM generate_series(1, %s) g
            """,  # noqa: S608
            [load_room.pk, authors[0].pk, POSTS_PER_THREAD, threads],
        )
        cursor.execute(
            f"""
            INSERT INTO community_post
                (thread_id, author_id, body, body_html, created_at, is_hidden, hidden_reason,
                 useful_count)
            SELECT t.id, %(author)s,
                   CASE WHEN g %% 2 = 0 THEN %(one)s ELSE %(other)s END || g
                   || {_terms("t.id * 100 + g")},
                   '', t.created_at + g * interval '1 second', false, '', 0
            FROM community_thread t, generate_series(1, %(per_thread)s) g
            WHERE t.room_id = %(room)s
            """,  # noqa: S608
            {
                "author": authors[0].pk,
                "one": "Report on cooperation between border units, number ",
                "other": "Field report on document fraud, number ",
                "per_thread": POSTS_PER_THREAD,
                "room": load_room.pk,
            },
        )
        # As community.search.post_index would: the thread's title (A) on its first post.
        cursor.execute(
            """
            UPDATE community_post p
            SET body_html = '<p>' || p.body || '</p>',
                search_vector = setweight(to_tsvector('english', CASE
                    WHEN p.created_at = t.created_at + interval '1 second' THEN t.title
                    ELSE '' END), 'A') || setweight(to_tsvector('english', p.body), 'B')
            FROM community_thread t
            WHERE p.thread_id = t.id AND t.room_id = %s
            """,
            [load_room.pk],
        )
    room_counters_refresh([load_room.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for the new rows, as autovacuum would


@transaction.atomic
def ensure_knowledge_dataset() -> None:
    """Published Knowledge Factory items for the global search: mostly for members, some
    public, some LEA-only, published over eight years; their vectors computed by the same
    function as the services' (knowledge_factory.indexing.item_index)."""
    from knowledge_factory.indexing import item_index
    from knowledge_factory.models import Item

    bench_items = Item.objects.filter(title__startswith=ITEM_TITLE)
    if bench_items.count() == LOAD_ITEMS:
        return
    bench_items.delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO knowledge_factory_item
                (type, title, summary, body, body_html, file, source_url, published_on, tier,
                 status, review_note, submitted_at, published_at, created_at, updated_at)
            SELECT (ARRAY['article', 'report', 'study', 'deliverable'])[1 + g %% 4],
                   %(title)s || g || CASE WHEN g %% 5 = 0 THEN {_terms("g * 3")} ELSE '' END,
                   'Summary of field work on cross-border cooperation, number ' || g,
                   'Findings on document fraud and investigation methods, number ' || g
                   || {_terms("g")},
                   '', '', '', NULL,
                   CASE WHEN g %% 20 = 0 THEN 'lea' WHEN g %% 10 = 1 THEN 'public'
                        ELSE 'members' END,
                   'published', '', published, published, published, published
            FROM generate_series(1, %(count)s) g,
                 LATERAL (SELECT now() - (g::float / %(count)s) * interval '8 years'
                          AS published) p
            """,  # noqa: S608
            {"title": ITEM_TITLE, "count": LOAD_ITEMS},
        )
    ids = list(bench_items.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 20_000):
        item_index(ids[start : start + 20_000])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE knowledge_factory_item")


def bench_thread_path() -> str:
    from community.models import Thread

    return f"/threads/{Thread.objects.get(room__slug=THREAD_ROOM, title=THREAD_TITLE).pk}/"


# Research projects: the demo loads ~700 real ones; the bench copies them (set-based, with their
# search vectors and embeddings) up to this many, so the project list, search and screening are
# measured on a database the size the issue asks for.
BENCH_PROJECTS = int(os.environ.get("BENCH_PROJECTS", "10000"))
PROJECT_TERM = "border"


@transaction.atomic
def ensure_project_dataset() -> None:
    from ipup.models import ResearchProject

    missing = BENCH_PROJECTS - ResearchProject.objects.count()
    if missing <= 0:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO ipup_researchproject
                (source, source_id, acronym, title, programme, call, topic, start_date, end_date,
                 summary, objectives, trl, website, source_url, total_cost, eu_contribution,
                 search_vector, embedding, embedding_model, contacts_stale_since, created_at,
                 updated_at)
            SELECT 'manual', 'bench-' || g || '-' || p.id, p.acronym, p.title, p.programme,
                   p.call, p.topic, p.start_date, p.end_date, p.summary, p.objectives, p.trl,
                   p.website, p.source_url, p.total_cost, p.eu_contribution, p.search_vector,
                   p.embedding, p.embedding_model, NULL, now(), now()
            FROM generate_series(1, %(rounds)s) g
            CROSS JOIN (SELECT * FROM ipup_researchproject WHERE source <> 'manual') p
            LIMIT %(missing)s
            """,
            {"rounds": missing // max(1, ResearchProject.objects.count()) + 1, "missing": missing},
        )
        cursor.execute("ANALYZE ipup_researchproject")


def screening_job(member) -> None:
    """Screen a demo need against every project (full text, embeddings, domains)."""
    from ipup.models import Need
    from ipup.screening import screen_need

    screen_need(Need.objects.order_by("pk").first())


# Showcase events (issue 13, events): one members' showcase presenting the presentation-pack
# project (bench/project_pdfs.py approves its documents), with the demo members registered.
SHOWCASE_TITLE = "Bench showcase of research results"


@transaction.atomic
def ensure_showcase_dataset() -> None:
    import datetime

    from django.utils import timezone

    from community.models import Event, User
    from ipup.models import AgendaItem, EventRegistration, ResearchProject, ShowcaseEvent

    if ShowcaseEvent.objects.filter(event__title=SHOWCASE_TITLE).exists():
        return
    starts = timezone.now() + datetime.timedelta(days=30)
    event = Event.objects.create(
        title=SHOWCASE_TITLE, kind=Event.Kind.SHOWCASE, tier="members", starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=4), location="Brussels",
        online_url="https://meet.example.eu/bench", description="Projects present their results.",
        description_html="<p>Projects present their results.</p>",
    )  # fmt: skip
    showcase = ShowcaseEvent.objects.create(
        event=event, capacity=100, categories=["lea", "decision", "procurement"]
    )
    project = ResearchProject.objects.filter(source_id="bench-presentation-pack").first()
    if project is not None:
        AgendaItem.objects.create(showcase=showcase, project=project, position=1)
    members = User.objects.filter(is_active=True).order_by("pk")[:150]
    EventRegistration.objects.bulk_create(
        EventRegistration(
            showcase=showcase,
            member=member,
            category="lea",
            status="registered" if index < 100 else "waiting",
        )
        for index, member in enumerate(members)
    )


def bench_showcase_path() -> str:
    from ipup.models import ShowcaseEvent

    return f"/ipup/events/{ShowcaseEvent.objects.get(event__title=SHOWCASE_TITLE).pk}/"

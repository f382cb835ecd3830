"""Bench data beyond the demo: a thread of 200 posts and a load of posts for search.

Idempotent: made once per database (the rooms' slugs mark it), reused by later runs. Written
with set-based SQL, not the services: the bench measures reading, and 100,000 posts through the
services would take minutes.
"""

import os

from django.db import connection, transaction

LOAD_ROOM = "bench-load"
THREAD_ROOM = "bench-thread"
THREAD_TITLE = "Bench thread of 200 posts"
# Posts in the search load: ~90% contain the common term, one in a thousand the rare one.
LOAD_POSTS = int(os.environ.get("BENCH_POSTS", "100000"))
POSTS_PER_THREAD = 100
COMMON_TERM = "network"
RARE_TERM = "quokka"


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
    if Thread.objects.filter(room=load_room).exists():
        return
    threads = max(1, LOAD_POSTS // POSTS_PER_THREAD)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO community_thread
                (room_id, title, author_id, created_at, is_pinned, is_locked, post_count,
                 last_post_at)
            SELECT %s, 'Load thread ' || g, %s, now() - g * interval '1 minute', false, false,
                   %s, now() - g * interval '1 minute'
            FROM generate_series(1, %s) g
            """,
            [load_room.pk, authors[0].pk, POSTS_PER_THREAD, threads],
        )
        cursor.execute(
            """
            INSERT INTO community_post
                (thread_id, author_id, body, body_html, created_at, is_hidden, hidden_reason,
                 useful_count)
            SELECT t.id, %(author)s,
                   CASE WHEN random() < 0.9 THEN %(common)s ELSE %(other)s END || g
                   || CASE WHEN (t.id * 100 + g) %% 1000 = 7 THEN %(rare)s ELSE '' END,
                   '', t.created_at + g * interval '1 second', false, '', 0
            FROM community_thread t, generate_series(1, %(per_thread)s) g
            WHERE t.room_id = %(room)s
            """,
            {
                "author": authors[0].pk,
                "common": f"Report on {COMMON_TERM} cooperation between border units, number ",
                "other": "Field report on document fraud, number ",
                "rare": f" {RARE_TERM}",
                "per_thread": POSTS_PER_THREAD,
                "room": load_room.pk,
            },
        )
        cursor.execute(
            """
            UPDATE community_post p
            SET body_html = '<p>' || p.body || '</p>',
                search_vector = setweight(to_tsvector('english', p.body), 'B')
            FROM community_thread t
            WHERE p.thread_id = t.id AND t.room_id = %s
            """,
            [load_room.pk],
        )
    room_counters_refresh([load_room.pk])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics for the new rows, as autovacuum would


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

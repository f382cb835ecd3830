"""What the bench measures. Add a page or a job here; bench/run.py needs no change.

Pages are fetched over HTTP by wrk, signed in as the bench member, and compared with the bare
view (the full middleware stack and nothing else). Jobs are work done outside a request (a
Celery task's body, a PDF render, a digest), timed in the bench's own process with the same
production settings, after the pages.
"""

from collections.abc import Callable
from dataclasses import dataclass

import dataset
import ipip_alerts
import knowledge
import project_pdfs
import survey_invitations

# The demo member every page is fetched as (seed_demo gives them an accepted charter and MFA).
BENCH_MEMBER = "lea@example.org"


@dataclass(frozen=True)
class Page:
    """A page, fetched with GET. ``path`` is a string, or a function called once after the demo
    data is loaded (Django is set up) that returns one, for pages about a demo object."""

    name: str
    path: str | Callable[[], str]


@dataclass(frozen=True)
class Job:
    """``run(member)`` is called ``repeat`` times; each call is timed. It gets the bench member
    (a ``community.User``) and should leave the demo data as it found it, or be idempotent."""

    name: str
    run: Callable[[object], None]
    repeat: int = 20


# The reference every page is compared with; answered by ileanet.views.bench_bare.
BARE = Page("bare view", "/bench/bare")

PAGES: list[Page] = [
    Page("home (signed in)", "/"),
    Page("room list", "/rooms/"),
    Page("thread, first page (200 posts)", lambda: dataset.bench_thread_path()),
    # The global search over 500,000 posts and 100,000 items (and threads, needs, projects).
    Page("global search, rare term (~0.1%)", f"/search/?q={dataset.RARE_TERM}"),
    Page("global search, term in ~10% of documents", f"/search/?q={dataset.MIDDLE_TERM}"),
    Page("global search, term in ~90% of documents", f"/search/?q={dataset.COMMON_TERM}"),
    Page("Knowledge Factory, browse with facets (100,000 items)", "/knowledge/"),
    Page("Knowledge Factory, faceted search, term in ~10%", f"/knowledge/?q={dataset.MIDDLE_TERM}"),
    Page("Knowledge Factory item", lambda: knowledge.bench_item_path()),
    Page("project list (10,000 projects)", "/ipup/projects/"),
    Page("project search", f"/ipup/projects/?q={dataset.PROJECT_TERM}"),
    Page("showcase event page (150 registrations)", lambda: dataset.bench_showcase_path()),
]

# Data made once per database after seed_demo, before the pages are resolved.
DATASETS: list[Callable[[], None]] = [
    lambda: dataset.ensure_forum_dataset(),
    lambda: dataset.ensure_knowledge_dataset(),
    lambda: dataset.ensure_project_dataset(),
    lambda: project_pdfs.ensure_pack_dataset(),
    lambda: dataset.ensure_showcase_dataset(),
    lambda: ipip_alerts.ensure_followers_dataset(),
    lambda: knowledge.ensure_followers_dataset(),
]

# Extension point: e.g. Job("charter PDF", lambda member: render_charter_pdf(...), repeat=10).
JOBS: list[Job] = [
    Job("screening a need (10,000 projects)", dataset.screening_job, repeat=10),
    Job("presentation pack PDF (3 documents)", project_pdfs.pack_job, repeat=5),
    Job("project alerts (10,000 projects, 10,000 followers)", ipip_alerts.alerts_job, repeat=5),
    Job("telling 10,000 followers of a new item", knowledge.followers_job, repeat=5),
]

# Work measured once, through a real Celery worker: ``measure(env)`` gets the bench's
# environment (production settings) and returns a row with job, items, seconds, per_s, note.
WORKER_JOBS: list[Callable[[dict], dict]] = [survey_invitations.measure]

"""Solution screening (SPEC §3.6): which research projects could answer a need.

Each project gets a score between 0 and 1, a blend of three parts:

- **Full-text relevance** (weight ``WEIGHTS["text"]`` = 0.4): PostgreSQL ``ts_rank_cd`` of the
  need's words against the project's stored search vector (acronym and title weighted above
  summary and objectives, ``ResearchProject.search_vector``), divided by the best rank of the
  run so the best match scores 1. A need is a paragraph, not a query: its words are ORed (any
  word may match; cover density rewards projects where several occur close together), and the
  English configuration stems them as the stored vectors are stemmed.
- **Semantic similarity** (weight ``WEIGHTS["similarity"]`` = 0.5): the cosine of the sentence
  embeddings of the need's text and of the project's title and objectives (ipup.embeddings),
  negative values counted as 0, divided by the best of the run. It finds projects that say
  the same thing in other words ("firearms diversion" ↔ "illicit arms trafficking").
- **Domain overlap** (weight ``WEIGHTS["domains"]`` = 0.1): the share of the need's domains that
  the project is filed under. A tie-breaker: projects from open data often have no domain.

Vectors are ranked in the application with numpy: the machines' PostgreSQL has no pgvector,
and a few thousand 256-dimension rows are a millisecond of arithmetic. The whole screening is
four queries whatever the size of the database.

tests/ipup/test_screening_quality.py measures the blend against full-text alone on real needs
and the open-security-data projects (the figures are in the README's IPUP section).
"""

import re
from dataclasses import dataclass, field

import numpy as np
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F

from community.search import CONFIG

from . import embeddings
from .models import ResearchProject

WEIGHTS = {"text": 0.4, "similarity": 0.5, "domains": 0.1}
DEFAULT_LIMIT = 20
# How many of a candidate's matching words are shown as the reason it was proposed.
SHOWN_TERMS = 8
_LEXEME = re.compile(r"'((?:[^']|'')+)'")


@dataclass
class Candidate:
    project: ResearchProject
    score: float
    text_relevance: float
    similarity: float
    domain_overlap: float
    matching_terms: list[str] = field(default_factory=list)


def need_text(need) -> str:
    return f"{need.title}\n{need.description}".strip()


def project_text(project: ResearchProject) -> str:
    """What a project's embedding is made of: what it is about, not who ran it."""
    return "\n".join(
        part for part in (project.title, project.objectives or project.summary) if part
    ).strip()


def _query_lexemes(text: str) -> list[str]:
    """The need's words as PostgreSQL stems them (stop words dropped), each once."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT plainto_tsquery(%s::regconfig, %s)::text", [CONFIG, text])
        (query,) = cursor.fetchone()
    lexemes = [match.replace("''", "'") for match in _LEXEME.findall(query or "")]
    return list(dict.fromkeys(lexemes))


def _text_scores(lexemes: list[str], project_ids) -> dict[int, float]:
    if not lexemes:
        return {}
    # Quoted lexemes ORed: a raw tsquery cannot be broken by what a need's author typed.
    raw = " | ".join("'{}'".format(lexeme.replace("'", "''")) for lexeme in lexemes)
    query = SearchQuery(raw, search_type="raw", config=CONFIG)
    matches = ResearchProject.objects.filter(search_vector=query)
    if project_ids is not None:
        matches = matches.filter(pk__in=project_ids)
    ranks = dict(
        matches.annotate(
            rank=SearchRank(F("search_vector"), query, cover_density=True)
        ).values_list("pk", "rank")
    )
    best = max(ranks.values(), default=0.0)
    return {pk: rank / best for pk, rank in ranks.items()} if best > 0 else {}


def _similarities(text: str, project_ids) -> dict[int, float]:
    rows = ResearchProject.objects.filter(
        embedding__isnull=False, embedding_model=embeddings.MODEL_NAME
    )
    if project_ids is not None:
        rows = rows.filter(pk__in=project_ids)
    rows = list(rows.values_list("pk", "embedding"))
    if not rows:
        return {}
    matrix = np.stack([embeddings.from_bytes(vector) for _, vector in rows])
    cosines = matrix @ embeddings.embed([text])[0]
    cosines = np.clip(cosines, 0.0, None)
    best = float(cosines.max())
    if best <= 0:
        return {}
    return {pk: float(value) / best for (pk, _), value in zip(rows, cosines, strict=True)}


def _domain_overlaps(domain_ids: list[int], project_ids) -> dict[int, float]:
    if not domain_ids:
        return {}
    through = ResearchProject.domains.through.objects.filter(domain_id__in=domain_ids)
    if project_ids is not None:
        through = through.filter(researchproject_id__in=project_ids)
    counts: dict[int, int] = {}
    for pk in through.values_list("researchproject_id", flat=True):
        counts[pk] = counts.get(pk, 0) + 1
    return {pk: count / len(domain_ids) for pk, count in counts.items()}


def _matching_terms(project: ResearchProject, lexemes: list[str]) -> list[str]:
    """The need's stemmed words found in the project, in the need's order (why it matched)."""
    stored = set(_LEXEME.findall(project.search_vector or ""))
    return [lexeme for lexeme in lexemes if lexeme in stored][:SHOWN_TERMS]


def screen(
    text: str,
    *,
    domain_ids=(),
    limit: int = DEFAULT_LIMIT,
    project_ids=None,
    weights: dict | None = None,
) -> list[Candidate]:
    """The best ``limit`` projects for ``text``, best first (``project_ids``: only those).
    ``weights`` is for measuring the parts (full text alone is ``{"text": 1}``)."""
    weights = {**dict.fromkeys(WEIGHTS, 0.0), **(weights or WEIGHTS)}
    domain_ids = list(domain_ids)
    lexemes = _query_lexemes(text)
    parts = {
        "text": _text_scores(lexemes, project_ids) if weights["text"] else {},
        "similarity": _similarities(text, project_ids) if weights["similarity"] else {},
        "domains": _domain_overlaps(domain_ids, project_ids) if weights["domains"] else {},
    }
    scores: dict[int, float] = {}
    for name, values in parts.items():
        for pk, value in values.items():
            scores[pk] = scores.get(pk, 0.0) + weights[name] * value
    best = sorted(scores, key=lambda pk: (-scores[pk], pk))[:limit]
    projects = ResearchProject.objects.in_bulk(best)
    return [
        Candidate(
            project=projects[pk],
            score=scores[pk],
            text_relevance=parts["text"].get(pk, 0.0),
            similarity=parts["similarity"].get(pk, 0.0),
            domain_overlap=parts["domains"].get(pk, 0.0),
            matching_terms=_matching_terms(projects[pk], lexemes),
        )
        for pk in best
    ]


def screen_need(need, *, limit: int = DEFAULT_LIMIT, project_ids=None) -> list[Candidate]:
    return screen(
        need_text(need),
        domain_ids=[domain.pk for domain in need.domains.all()],
        limit=limit,
        project_ids=project_ids,
    )

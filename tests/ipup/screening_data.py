"""The open-security-data projects (ipup/data/opensecurity-projects.json) as ResearchProject
rows with their search vectors and embeddings, for the screening tests. Embedding ~2,800
projects is computed once per test session (a second or two), then bulk-inserted per test."""

import functools
import json
from pathlib import Path

from ipup import embeddings, screening
from ipup.models import ResearchProject
from ipup.services.projects import project_search_vector_refresh

DATA = Path(__file__).resolve().parents[2] / "ipup" / "data" / "opensecurity-projects.json"


@functools.cache
def _projects_and_vectors():
    rows = json.loads(DATA.read_text(encoding="utf-8"))
    projects = []
    for row in rows:
        name = (row["name"] or "").strip()
        acronym, _, title = name.partition(" - ")
        projects.append(
            ResearchProject(
                source=ResearchProject.Source.OPEN_SECURITY_DATA,
                source_id=row["foreign_id"],
                acronym=acronym[:100] if title else "",
                title=(title or name)[:600],
                programme=row["program"] or "",
                objectives=row["description"] or "",
                embedding_model=embeddings.MODEL_NAME,
            )
        )
    vectors = embeddings.embed([screening.project_text(project) for project in projects])
    return projects, vectors


def load_real_projects() -> int:
    projects, vectors = _projects_and_vectors()
    for project, vector in zip(projects, vectors, strict=True):
        project.pk = None
        project.embedding = embeddings.to_bytes(vector)
    created = ResearchProject.objects.bulk_create(projects, batch_size=500)
    project_search_vector_refresh(project.pk for project in created)
    return len(created)

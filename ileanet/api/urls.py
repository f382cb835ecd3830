"""/api/v1/: every app's endpoints, the OpenAPI schema and its documentation page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from ipip.api import ChecklistItemStateViewSet, ProjectChecklistViewSet
from ipup.api import NeedViewSet, ProjectViewSet, ScreeningCandidateViewSet
from ipup.api_documents import ProjectDocumentViewSet
from ipup.api_events import ShowcaseEventViewSet
from knowledge_factory.api import ItemViewSet  # issue 15: knowledge factory

from .search import SearchView

app_name = "api"

router = SimpleRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register("needs", NeedViewSet, basename="need")
router.register("events", ShowcaseEventViewSet, basename="event")
# issue 15: knowledge factory
router.register("knowledge/items", ItemViewSet, basename="knowledge-item")
router.register(
    r"needs/(?P<need_pk>\d+)/candidates", ScreeningCandidateViewSet, basename="need-candidate"
)
router.register(
    r"projects/(?P<project_pk>\d+)/documents", ProjectDocumentViewSet, basename="project-document"
)
router.register(
    r"projects/(?P<project_pk>\d+)/checklist", ProjectChecklistViewSet, basename="project-checklist"
)
router.register(
    r"projects/(?P<project_pk>\d+)/checklist/items",
    ChecklistItemStateViewSet,
    basename="project-checklist-item",
)

urlpatterns = [
    *router.urls,
    path("search/", SearchView.as_view(), name="search"),  # issue 15: search
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]

# DRF authenticates API requests itself (a token or the session) and answers 401 or 403 in
# JSON; Django's login redirect would send a script to the HTML sign-in page instead.
for pattern in urlpatterns:
    login_not_required(pattern.callback)

"""IPUP in the REST API (ileanet.api): research projects, needs and a need's screening
candidates, read-only. Each endpoint reads through the same rules as the pages: needs through
``Need.objects.visible_to``, projects as the project list reads them (ipup.selectors), candidates
for who may screen and only on needs they can see. Points of contact are personal data and are
not exposed here."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from community.models import Domain

from .forms.projects import ProjectFilterForm
from .models import Need, ProjectParticipant, ResearchProject, ScreeningCandidate
from .permissions import can_manage_needs
from .selectors import project_list_for

_DOMAINS = Prefetch("domains", queryset=Domain.objects.order_by("position", "name"))


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["slug", "name", "kind"]


class ParticipantSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name")
    country = serializers.CharField(source="organisation.country.code")

    class Meta:
        model = ProjectParticipant
        fields = ["name", "country", "role"]


class ProjectSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ResearchProject.Status.choices, read_only=True)
    domains = DomainSerializer(many=True, read_only=True)
    tags = serializers.SerializerMethodField()
    consortium = ParticipantSerializer(source="participants", many=True, read_only=True)

    class Meta:
        model = ResearchProject
        fields = [
            "id", "acronym", "title", "programme", "call", "topic", "start_date", "end_date",
            "status", "summary", "objectives", "trl", "domains", "tags", "website",
            "source", "source_id", "source_url", "total_cost", "eu_contribution", "consortium",
            "updated_at",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, project) -> list[str]:
        return sorted(tag.name for tag in project.tags.all())


class NeedSerializer(serializers.ModelSerializer):
    domains = DomainSerializer(many=True, read_only=True)

    class Meta:
        model = Need
        # Not the discussion or room it came from: their titles are shown on the pages only
        # to who may open them.
        fields = [
            "id", "title", "description", "domains", "source", "status", "tier",
            "research_answerable", "out_of_scope_reason", "priority_score", "created_at",
            "updated_at",
        ]  # fmt: skip


class CandidateProjectSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResearchProject
        fields = ["id", "acronym", "title"]


class ScreeningCandidateSerializer(serializers.ModelSerializer):
    project = CandidateProjectSerializer(read_only=True)

    class Meta:
        model = ScreeningCandidate
        fields = [
            "id", "project", "score", "text_relevance", "similarity", "domain_overlap",
            "judgement", "note", "judged_at",
        ]  # fmt: skip


_PROJECT_FILTERS = [
    OpenApiParameter("q", str, description="Full-text search (websearch syntax), best first."),
    OpenApiParameter("programme", str),
    OpenApiParameter("status", str, enum=ResearchProject.Status.values),
    OpenApiParameter("domain", int, description="A domain's id."),
    OpenApiParameter("trl", int),
    OpenApiParameter("country", str, description="A partner's country (ISO 3166 code)."),
    OpenApiParameter("year", int, description="Start year."),
]


@extend_schema_view(list=extend_schema(parameters=_PROJECT_FILTERS))
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """EU security research projects (SPEC §3.5), newest first: open data, read by every member
    in good standing, as on the project pages, with the same filters."""

    serializer_class = ProjectSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run
            return ResearchProject.objects.none()
        filters = {}
        if self.action == "list":
            form = ProjectFilterForm(self.request.query_params)
            if not form.is_valid():
                raise ValidationError(form.errors)
            filters = form.cleaned_data
        # The pages' list, with the long texts it leaves out (but not the search vector and
        # embedding, which are no one's to read).
        projects = project_list_for(self.request.user, filters=filters).defer(None)
        return projects.defer("search_vector", "embedding").prefetch_related(
            "tags",
            Prefetch(
                "participants",
                queryset=ProjectParticipant.objects.select_related("organisation"),
            ),
        )


class NeedViewSet(viewsets.ReadOnlyModelViewSet):
    """Challenges and needs of LEAs (SPEC §3.2) that the caller may read."""

    serializer_class = NeedSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run
            return Need.objects.none()
        return (
            Need.objects.visible_to(self.request.user)
            .order_by("title", "pk")
            .prefetch_related(_DOMAINS)
        )


@extend_schema(parameters=[OpenApiParameter("need_pk", int, OpenApiParameter.PATH)])
class ScreeningCandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Projects screened for a need (SPEC §3.6), best score first: for who may screen, on the
    needs they can see. Anyone else gets 404, as for a need they cannot see."""

    serializer_class = ScreeningCandidateSerializer

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run
            return ScreeningCandidate.objects.none()
        visible = Need.objects.visible_to(user) if can_manage_needs(user) else Need.objects.none()
        need = get_object_or_404(visible, pk=self.kwargs["need_pk"])
        return need.screening_candidates.select_related("project").order_by("-score", "pk")

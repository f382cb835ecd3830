"""A project's documents in the REST API (SPEC §3.7, §6.2): holders read and write them (draft,
submit) with the same validation and workflow as the pages (ipup.services.documents).

Reading goes through ``ProjectDocument.objects.visible_to``: the project's holders and those who
review documents get the working draft, the state and the versions; any other permitted reader
gets the approved version only. A document one may not see is 404; a write on one one may see
but not write is 403 (the service decides, as for the pages).
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from . import documents as schemas
from .models import DocumentKind, DocumentVersion, ProjectDocument, ResearchProject
from .permissions import holds_project
from .services.documents import document_draft_save, document_for, document_submit


class ApprovedVersionSerializer(serializers.ModelSerializer):
    approved_at = serializers.DateTimeField(source="decided_at", read_only=True)

    class Meta:
        model = DocumentVersion
        fields = ["number", "approved_at", "data"]


class VersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["number", "submitted_at", "decision", "decided_at", "review_note"]


class DocumentSerializer(serializers.ModelSerializer):
    """A document as its reader may see it: ``state``, ``draft``, ``draft_updated_at`` and
    ``versions`` are null for readers who see only the approved version."""

    title = serializers.SerializerMethodField()
    approved = ApprovedVersionSerializer(source="approved_version", read_only=True, allow_null=True)
    state = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField()
    draft_updated_at = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta:
        model = ProjectDocument
        fields = ["kind", "title", "approved", "state", "draft", "draft_updated_at", "versions"]

    def _full(self, document) -> bool:
        return document.pk in self.context.get("with_drafts", ())

    def get_title(self, document) -> str:
        return str(schemas.schema_for(document.kind).title)

    @extend_schema_field(
        serializers.ChoiceField(choices=ProjectDocument.State.choices, allow_null=True)
    )
    def get_state(self, document):
        return document.state if self._full(document) else None

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_draft(self, document):
        return document.draft if self._full(document) else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_draft_updated_at(self, document):
        if not self._full(document) or document.draft_updated_at is None:
            return None
        return serializers.DateTimeField().to_representation(document.draft_updated_at)

    @extend_schema_field(VersionSerializer(many=True, allow_null=True))
    def get_versions(self, document):
        if not self._full(document):
            return None
        return VersionSerializer(document.versions.all(), many=True).data


class DraftSerializer(serializers.Serializer):
    draft = serializers.JSONField(
        help_text="Answers to save, by question key; the answers not mentioned are kept."
    )


_PROJECT = OpenApiParameter("project_pk", int, OpenApiParameter.PATH)
_KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=DocumentKind.values)
_ERRORS = OpenApiResponse(description="Invalid answers: {'draft': {question key: [messages]}}.")


def _errors(error: DjangoValidationError) -> Response:
    if hasattr(error, "error_dict"):
        body = {"draft": error.message_dict}
    else:
        body = {"detail": " ".join(error.messages)}
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


@extend_schema(parameters=[_PROJECT])
class ProjectDocumentViewSet(viewsets.GenericViewSet):
    """The Project ID card, TELOS assessment and scenario of a research project."""

    serializer_class = DocumentSerializer
    lookup_field = "kind"
    lookup_value_regex = "|".join(DocumentKind.values)
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run
            return ProjectDocument.objects.none()
        return (
            ProjectDocument.objects.visible_to(self.request.user)
            .filter(project_id=self.kwargs["project_pk"])
            .select_related("approved_version")
            .prefetch_related("versions")
            .order_by("kind")
        )

    def _context(self, documents) -> dict:
        user = self.request.user
        with_drafts = set(
            ProjectDocument.objects.visible_to(user, drafts=True)
            .filter(pk__in=[d.pk for d in documents])
            .values_list("pk", flat=True)
        )
        return {**self.get_serializer_context(), "with_drafts": with_drafts}

    def _holder_documents(self, kinds) -> None:
        # A holder's documents exist from the first time they are asked for, as on the pages.
        project = ResearchProject.objects.filter(pk=self.kwargs["project_pk"]).first()
        if project is not None and holds_project(self.request.user, project):
            for kind in kinds:
                document_for(project, kind)

    def _document(self) -> ProjectDocument:
        self._holder_documents([self.kwargs["kind"]])
        document = self.get_queryset().filter(kind=self.kwargs["kind"]).first()
        if document is None:
            raise Http404
        return document

    def _read(self, document, *, code=status.HTTP_200_OK) -> Response:
        document = self.get_queryset().get(pk=document.pk)
        return Response(DocumentSerializer(document, context=self._context([document])).data,
                        status=code)  # fmt: skip

    @extend_schema(responses=DocumentSerializer(many=True))
    def list(self, request, project_pk=None):
        get_object_or_404(ResearchProject, pk=project_pk)
        self._holder_documents(DocumentKind.values)
        documents = list(self.get_queryset())
        return Response(
            DocumentSerializer(documents, many=True, context=self._context(documents)).data
        )

    @extend_schema(parameters=[_KIND])
    def retrieve(self, request, project_pk=None, kind=None):
        return self._read(self._document())

    @extend_schema(
        parameters=[_KIND],
        request=DraftSerializer,
        responses={200: DocumentSerializer, 400: _ERRORS},
    )
    def partial_update(self, request, project_pk=None, kind=None):
        document = self._document()
        payload = DraftSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        if not isinstance(payload.validated_data["draft"], dict):
            return Response(
                {"draft": [_("Send the answers as an object keyed by question.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            document = document_draft_save(actor=request.user, document=document,
                                           data=payload.validated_data["draft"], partial=True)  # fmt: skip
        except PermissionDenied as denied:
            raise ApiPermissionDenied(
                _("Only the project's holders edit its documents.")
            ) from denied
        except DjangoValidationError as error:
            return _errors(error)
        return self._read(document)

    @extend_schema(
        parameters=[_KIND], request=None, responses={201: DocumentSerializer, 400: _ERRORS}
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, project_pk=None, kind=None):
        document = self._document()
        try:
            document_submit(actor=request.user, document=document)
        except PermissionDenied as denied:
            raise ApiPermissionDenied(
                _("Only the project's holders submit its documents.")
            ) from denied
        except DjangoValidationError as error:
            return _errors(error)
        return self._read(document, code=status.HTTP_201_CREATED)

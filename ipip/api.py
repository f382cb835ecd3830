"""A project's IPIP checklist in the REST API (SPEC §4, §6.2), under the same rule as the page:
verified members read it, the project's holders and coordinators update an item's state with
the same validation (ipip.services.checklists). A checklist one may not see is 404; an update
by a reader who may not write is 403. Evidence files are uploaded on the page only."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.response import Response

from community.visibility import can_read_checklist
from ipup.models import ResearchProject

from .models import ItemState
from .selectors import checklist_view_for
from .services.checklists import item_state_update

# A plain string in the schema: an enum named "status" would collide with the other apps'.
_STATUSES = "One of: " + ", ".join(ItemState.Status.values) + "."


class ItemStateSerializer(serializers.Serializer):
    key = serializers.CharField(source="item.key")
    topic = serializers.CharField(source="item.topic")
    text = serializers.CharField(source="item.text")
    status = serializers.CharField(help_text=_STATUSES)
    owner = serializers.CharField()
    reason = serializers.CharField()
    evidence_note = serializers.CharField()
    evidence_link = serializers.CharField()
    has_evidence_file = serializers.SerializerMethodField()
    date = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_has_evidence_file(self, state) -> bool:
        return bool(state.evidence_file)


class StageSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    progress = serializers.IntegerField(allow_null=True, help_text="Per cent, null: none applies.")
    items = ItemStateSerializer(source="states", many=True)


class ChecklistSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    version = serializers.IntegerField(allow_null=True, help_text="Null: not adopted yet.")
    adopted_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.IntegerField(allow_null=True)
    stages = StageSerializer(many=True)


class ItemStateUpdateSerializer(serializers.Serializer):
    """The fields to change; those not sent are kept."""

    status = serializers.CharField(max_length=16, required=False, help_text=_STATUSES)
    owner = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)
    evidence_note = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    evidence_link = serializers.CharField(max_length=500, required=False, allow_blank=True)
    date = serializers.DateField(required=False, allow_null=True)


_PROJECT = OpenApiParameter("project_pk", int, OpenApiParameter.PATH)


def _project(request, project_pk) -> ResearchProject:
    project = get_object_or_404(
        ResearchProject.objects.defer("search_vector", "embedding"), pk=project_pk
    )
    if not can_read_checklist(request.user, project):
        raise Http404
    return project


def _body(project, view) -> dict:
    checklist = view.checklist
    return {
        "project": project.pk,
        "version": checklist.template.version if checklist else None,
        "adopted_at": checklist.adopted_at if checklist else None,
        "progress": view.progress,
        "stages": view.stages,
    }


@extend_schema(parameters=[_PROJECT])
class ProjectChecklistViewSet(viewsets.GenericViewSet):
    """A research project's IPIP checklist: stages, items, their states and the progress."""

    serializer_class = ChecklistSerializer
    pagination_class = None

    def get_queryset(self):
        return ItemState.objects.none()

    @extend_schema(responses=ChecklistSerializer)
    def list(self, request, project_pk=None):
        project = _project(request, project_pk)
        return Response(ChecklistSerializer(_body(project, checklist_view_for(project))).data)


@extend_schema(parameters=[_PROJECT])
class ChecklistItemStateViewSet(viewsets.GenericViewSet):
    """The state of one item of a project's checklist, by the item's key."""

    serializer_class = ItemStateSerializer
    lookup_field = "item_key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    pagination_class = None

    def get_queryset(self):
        return ItemState.objects.none()

    @extend_schema(
        parameters=[OpenApiParameter("item_key", str, OpenApiParameter.PATH)],
        request=ItemStateUpdateSerializer,
        responses={
            200: ItemStateSerializer,
            400: OpenApiResponse(description="Invalid values: {field: [messages]}."),
        },
    )
    def partial_update(self, request, project_pk=None, item_key=None):
        project = _project(request, project_pk)
        state = (
            ItemState.objects.select_related("item", "checklist")
            .filter(checklist__project=project, item__key=item_key)
            .first()
        )
        if state is None:
            raise Http404
        state.checklist.project = project
        payload = ItemStateUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = {
            field: getattr(state, field)
            for field in ("status", "owner", "reason", "evidence_note", "evidence_link", "date")
        }
        values.update(payload.validated_data)
        try:
            state = item_state_update(actor=request.user, state=state, **values)
        except PermissionDenied as denied:
            raise ApiPermissionDenied(
                _("Only the project's holders and coordinators may do this.")
            ) from denied
        except DjangoValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response(ItemStateSerializer(state).data)

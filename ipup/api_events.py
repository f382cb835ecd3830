"""Showcase events and webinars in the REST API (ileanet.api), read-only: the events the caller
may see on the calendar (``Event.objects.visible_to``) with their public agenda and the places
left. The online link only for who may see it (``community.visibility.can_see_event_link``:
registered participants and those who run events); never the participants."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from community.models import Event
from community.visibility import can_see_event_link

from .models import AgendaItem, EventRegistration, ShowcaseEvent

_REGISTERED = EventRegistration.Status.REGISTERED


class AgendaProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="project.id")
    acronym = serializers.CharField(source="project.acronym")
    title = serializers.CharField(source="project.title")


class AgendaItemSerializer(serializers.ModelSerializer):
    project = AgendaProjectSerializer(source="*")

    class Meta:
        model = AgendaItem
        fields = ["position", "starts_at", "presenter", "project"]


class ShowcaseEventSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="event.title")
    description = serializers.CharField(source="event.description")
    tier = serializers.CharField(source="event.tier")
    starts_at = serializers.DateTimeField(source="event.starts_at")
    ends_at = serializers.DateTimeField(source="event.ends_at")
    location = serializers.CharField(source="event.location")
    cancelled = serializers.SerializerMethodField()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    agenda = AgendaItemSerializer(many=True, read_only=True)
    registered = serializers.IntegerField(source="registered_count")
    places_left = serializers.SerializerMethodField()
    online_url = serializers.SerializerMethodField()

    class Meta:
        model = ShowcaseEvent
        fields = [
            "id", "title", "format", "project", "description", "tier", "starts_at", "ends_at",
            "location", "cancelled", "categories", "capacity", "registered", "places_left",
            "registration_closes_at", "agenda", "online_url",
        ]  # fmt: skip

    def get_cancelled(self, showcase) -> bool:
        return showcase.event.cancelled_at is not None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_places_left(self, showcase) -> int | None:
        if showcase.capacity is None:
            return None
        return max(showcase.capacity - showcase.registered_count, 0)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_online_url(self, showcase) -> str | None:
        # The queryset is the caller's visible events, annotated with their registration: the
        # rule needs no query per row.
        user = self.context["request"].user
        visible = can_see_event_link(
            user, showcase.event, listed=True, registered=showcase.viewer_registered
        )
        return showcase.event.online_url if visible else None


class ShowcaseEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Showcase events and webinars (SPEC §3.8) the caller may see, soonest first, with their
    public agenda and places left."""

    serializer_class = ShowcaseEventSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run
            return ShowcaseEvent.objects.none()
        user = self.request.user
        return (
            ShowcaseEvent.objects.filter(event__in=Event.objects.visible_to(user).values("pk"))
            .select_related("event")
            .annotate(
                registered_count=Count(
                    "registrations", filter=Q(registrations__status=_REGISTERED)
                ),
                viewer_registered=Exists(
                    EventRegistration.objects.filter(
                        showcase=OuterRef("pk"), member=user, status=_REGISTERED
                    )
                ),
            )
            .prefetch_related(
                Prefetch(
                    "agenda",
                    queryset=AgendaItem.objects.select_related("project").defer(
                        "project__search_vector",
                        "project__embedding",
                        "project__summary",
                        "project__objectives",
                    ),
                )
            )
            .order_by("event__starts_at", "pk")
        )

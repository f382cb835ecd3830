"""The Knowledge Factory in the REST API (SPEC §6.2): published items the caller may read, with
the filters of the pages; the caller's own submissions; and submitting an item, through the same
service and validation as the page (knowledge_factory.services.items)."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from community.models import Domain
from community.visibility import need_filter, project_filter

from .indexing import CONFIG
from .models import AccessLevel, Item, ItemType
from .services.items import MAX_TAG_LENGTH, MAX_TAGS, item_submit

_DOMAINS = Prefetch("domains", queryset=Domain.objects.order_by("position", "name"))


class ItemDomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["slug", "name"]


class ItemSerializer(serializers.ModelSerializer):
    """A published item. ``need`` is null when the caller may not read the related need."""

    domains = ItemDomainSerializer(many=True, read_only=True)
    tags = serializers.SerializerMethodField()
    file = serializers.SerializerMethodField()
    need = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    # "access_level", as the pages call it (and not "tier", a need's wider set of audiences).
    access_level = serializers.ChoiceField(
        source="tier", choices=AccessLevel.choices, read_only=True
    )

    class Meta:
        model = Item
        fields = [
            "id", "type", "title", "summary", "body", "body_html", "file", "source_url",
            "published_on", "published_at", "domains", "tags", "access_level", "project", "need",
            "url",
        ]  # fmt: skip

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, item) -> list[str]:
        return sorted(tag.name for tag in item.tags.all())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_file(self, item):
        if not item.file:
            return None
        path = reverse("knowledge_factory:item-file", args=[item.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_need(self, item):
        return item.need_id if item.need_id in self.context.get("needs", ()) else None

    @extend_schema_field(serializers.URLField())
    def get_url(self, item) -> str:
        path = item.get_absolute_url()
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class OwnItemSerializer(ItemSerializer):
    """One of the caller's submissions, with where its review stands."""

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "status", "review_note", "submitted_at"]


class ItemSubmitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ItemType.choices)
    title = serializers.CharField(max_length=300)
    summary = serializers.CharField(max_length=2000)
    body = serializers.CharField(max_length=100_000, required=False, allow_blank=True)
    file = serializers.FileField(required=False)
    source_url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    published_on = serializers.DateField(required=False, allow_null=True)
    domains = serializers.ListField(
        child=serializers.SlugField(), required=False, max_length=50,
        help_text="Domain slugs.",
    )  # fmt: skip
    tags = serializers.ListField(
        child=serializers.CharField(max_length=MAX_TAG_LENGTH),
        required=False,
        max_length=MAX_TAGS,
    )
    access_level = serializers.ChoiceField(choices=AccessLevel.choices, default=AccessLevel.MEMBERS)
    project = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    need = serializers.IntegerField(required=False, allow_null=True, min_value=1)


class ItemFilterSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ItemType.choices, required=False)
    domain = serializers.SlugField(required=False)
    tag = serializers.SlugField(required=False)
    year = serializers.IntegerField(required=False, min_value=1900, max_value=2999)
    q = serializers.CharField(required=False, max_length=200)


_FILTERS = [
    OpenApiParameter("type", str, enum=ItemType.values),
    OpenApiParameter("domain", str, description="A domain's slug."),
    OpenApiParameter("tag", str, description="A tag's slug."),
    OpenApiParameter("year", int, description="Publication year."),
    OpenApiParameter("q", str, description="Full-text search (websearch syntax), best first."),
]


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class ItemViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):  # fmt: skip
    """Knowledge Factory items (SPEC §5): the published items the caller may read, newest first;
    ``mine``, the caller's own submissions; POST submits an item for review."""

    serializer_class = ItemSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run
            return Item.objects.none()
        items = (
            Item.objects.visible_to(self.request.user)
            .published()
            .prefetch_related(_DOMAINS, "tags")
            .defer("search_vector", "title_vector")
        )
        if self.action != "list":
            return items.order_by("-published_at", "-pk")
        filters = ItemFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        if data.get("type"):
            items = items.filter(type=data["type"])
        if data.get("domain"):
            items = items.filter(domains__slug=data["domain"])
        if data.get("tag"):
            items = items.filter(tags__slug=data["tag"])
        if data.get("year"):
            items = items.filter(facet_year=data["year"])
        if data.get("q", "").strip():
            query = SearchQuery(data["q"], search_type="websearch", config=CONFIG)
            return (
                items.filter(search_vector=query)
                .annotate(rank=SearchRank(F("search_vector"), query))
                .order_by("-rank", "-published_at", "-pk")
            )
        return items.order_by("-published_at", "-pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        if not getattr(self, "swagger_fake_view", False) and user.is_authenticated:
            context["needs"] = _LazyNeeds(user)
        return context

    @extend_schema(responses=OwnItemSerializer(many=True))
    @action(detail=False, methods=["get"])
    def mine(self, request):
        items = (
            Item.objects.visible_to(request.user)
            .filter(author=request.user)
            .prefetch_related(_DOMAINS, "tags")
            .defer("search_vector", "title_vector")
            .order_by("-submitted_at", "-pk")
        )
        page = self.paginate_queryset(items)
        serializer = OwnItemSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        request={
            "application/json": ItemSubmitSerializer,
            "multipart/form-data": ItemSubmitSerializer,
        },
        responses={
            201: OwnItemSerializer,
            400: OpenApiResponse(description="Invalid fields: {field: [messages]}."),
        },
    )
    def create(self, request):
        from ipup.models import Need, ResearchProject

        payload = ItemSubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["tier"] = data.pop("access_level")
        user = request.user
        errors = {}
        # A project or need the caller may not read answers as one that does not exist.
        for name, model, rule in (
            ("project", ResearchProject, project_filter),
            ("need", Need, need_filter),
        ):
            if data.get(name):
                data[name] = model.objects.filter(rule(user), pk=data[name]).first()
                if data[name] is None:
                    errors[name] = [
                        _("No such %(name)s, or not one you may read.") % {"name": name}
                    ]
        slugs = data.pop("domains", [])
        domains = list(Domain.objects.filter(slug__in=slugs))
        if len(domains) != len(set(slugs)):
            errors["domains"] = [_("Unknown domain.")]
        if errors:
            raise ValidationError(errors)
        try:
            item = item_submit(actor=user, domains=domains, **data)
        except PermissionDenied as denied:
            raise ApiPermissionDenied from denied
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                errors = error.message_dict
                if "tier" in errors:
                    errors["access_level"] = errors.pop("tier")
                return Response(errors, status=status.HTTP_400_BAD_REQUEST)
            return Response({"detail": " ".join(error.messages)}, status=400)
        item = Item.objects.prefetch_related(_DOMAINS, "tags").get(pk=item.pk)
        context = {**self.get_serializer_context(), "needs": {item.need_id}}
        return Response(OwnItemSerializer(item, context=context).data, status=201)


class _LazyNeeds:
    """The ids of needs ``user`` reads, asked of the database once and only when an item of
    the page has a need (most have none)."""

    def __init__(self, user):
        self.user, self._ids = user, None

    def __contains__(self, pk):
        if pk is None:
            return False
        if self._ids is None:
            from ipup.models import Need

            self._ids = set(
                Need.objects.filter(need_filter(self.user)).values_list("pk", flat=True)
            )
        return pk in self._ids

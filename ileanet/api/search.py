"""The global search in the REST API: ``GET /api/v1/search/?q=&kind=&page=``, the same engine
(ileanet.search) and the same visibility rule as the search page. Snippets are plain text: the
match markers removed, nothing escaped (a client renders them as text)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ileanet import ratelimit
from ileanet import search as engine

_KIND_HELP = "One of: " + ", ".join(engine.KINDS) + "."


class SearchHitSerializer(serializers.Serializer):
    # Text, not an enum: "kind" already names another enum of the schema.
    kind = serializers.CharField(help_text=_KIND_HELP)
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField(source="snippet_text")
    url = serializers.CharField()


class SearchCountSerializer(serializers.Serializer):
    kind = serializers.CharField(source="key", help_text=_KIND_HELP)
    count = serializers.IntegerField()
    capped = serializers.BooleanField(help_text="More than ``count`` match.")


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    kind = serializers.CharField(allow_null=True)
    page = serializers.IntegerField()
    has_next = serializers.BooleanField()
    stop_words_only = serializers.BooleanField(help_text="Only very common words: none searched.")
    exclusions_only = serializers.BooleanField(help_text="Only -words: nothing to look for.")
    counts = SearchCountSerializer(many=True, source="groups")
    results = SearchHitSerializer(many=True)


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=engine.MAX_QUERY_LENGTH, trim_whitespace=True)
    kind = serializers.ChoiceField(choices=list(engine.KINDS), required=False)
    page = serializers.IntegerField(min_value=1, max_value=25, required=False, default=1)


class SearchView(APIView):
    """Search threads, posts, published Knowledge Factory items, needs and projects the caller
    may open. Without ``kind``: the best three of every kind; with it: that kind, 20 a page.
    Counts stop at 1,000 (``capped``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, required=True,
                             description='Web-search syntax: "exact phrase", -word, or.'),
            OpenApiParameter("kind", str, enum=list(engine.KINDS)),
            OpenApiParameter("page", int),
        ],
        responses=SearchResultsSerializer,
    )  # fmt: skip
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        if not data["q"]:
            raise ValidationError({"q": [_("This field may not be blank.")]})
        if not ratelimit.allow("search", request.user.pk, default="30/60"):
            raise Throttled
        kind = data.get("kind")
        results = engine.search(request.user, data["q"], kind=kind, page=data["page"])
        if kind:
            selected = results.selected
            hits = selected.hits if selected else []
            has_next = bool(selected and selected.has_next)
        else:
            hits = [hit for group in results.groups for hit in group.hits]
            has_next = False
        payload = {
            "query": results.query,
            "kind": kind,
            "page": data["page"] if kind else 1,
            "has_next": has_next,
            "stop_words_only": results.stop_words_only,
            "exclusions_only": results.exclusions_only,
            "groups": results.groups,
            "results": hits,
        }
        return Response(SearchResultsSerializer(payload).data)

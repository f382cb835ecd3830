"""Knowledge Factory pages: browse and faceted search, followed tags and domains, and the
member's personal Atom feed.

What a page lists comes from ``knowledge_factory.search`` and ``selectors``, which start from
the one visibility rule: anonymous visitors see public items, members the items of their tiers.
"""

import re

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from community.models import Domain
from ileanet import ratelimit
from ileanet.search import MAX_QUERY_LENGTH

from ..models import Follow, Item, ReaderFeed
from ..search import Filters, knowledge_search
from ..selectors import follows_for, readable_tags_for
from ..services import follows as follow_services

FEED_SIZE = 50
# Characters XML 1.0 cannot carry: one in a title would make the whole feed fail to render.
_NOT_XML = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")
# Tags offered while typing in "add a tag" (a datalist; any readable tag may be typed).
TAG_SUGGESTIONS = 500


class TagFollowForm(forms.Form):
    tag = forms.CharField(label=gettext_lazy("Tag"), max_length=100)


class DomainFollowForm(forms.Form):
    domain = forms.ChoiceField(label=gettext_lazy("Domain"))

    def __init__(self, *args, followed=(), **kwargs):
        super().__init__(*args, **kwargs)
        followed = {d.pk for d in followed}
        self.fields["domain"].choices = [("", "---------")] + [
            (d.slug, str(d)) for d in Domain.objects.all() if d.pk not in followed
        ]


def _page(value) -> int:
    return int(value) if value and value.isdigit() and len(value) < 6 else 1


def _follow_offers(user, filters: Filters) -> list[dict]:
    """ "Follow this tag/domain" when the reader filters by exactly one of them."""
    if not follow_services.can_follow(user):
        return []
    offers = []
    if len(filters.tags) == 1:
        tag = readable_tags_for(user).filter(slug=filters.tags[0]).first()
        if tag is not None:
            offers.append({"kind": "tag", "slug": tag.slug, "name": tag.name, "obj": tag})
    if len(filters.domains) == 1:
        domain = Domain.objects.filter(slug=filters.domains[0]).first()
        if domain is not None:
            offers.append(
                {"kind": "domain", "slug": domain.slug, "name": str(domain), "obj": domain}
            )
    if offers:
        followed = Follow.objects.filter(member=user)
        for offer in offers:
            offer["following"] = followed.filter(**{offer["kind"]: offer.pop("obj")}).exists()
    return offers


@login_not_required
@require_http_methods(["GET"])
def index(request):
    filters = Filters.from_querydict(request.GET)
    text = request.GET.get("q", "")
    status, error = 200, None
    if text.strip():
        who = request.user.pk or request.META.get("REMOTE_ADDR", "")
        if not ratelimit.allow("search", who, default="30/60"):
            status, error = 429, _("Too many searches in a minute. Wait a moment.")
            text = ""
    search = knowledge_search(request.user, text, filters, page=_page(request.GET.get("page")))
    context = {
        "search": search,
        "error": error,
        "follow_offers": _follow_offers(request.user, filters),
        "max_query_length": MAX_QUERY_LENGTH,
    }
    partial = request.htmx and not request.htmx.history_restore_request
    template = "knowledge_factory/index.html" + ("#results" if partial else "")
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _following_page(request, *, tag_form=None, domain_form=None, status=200):
    followed = follows_for(request.user)
    feed = ReaderFeed.objects.filter(member=request.user).first()
    feed_url = (
        settings.SITE_URL + reverse("knowledge_factory:feed", args=[feed.token]) if feed else None
    )
    context = {
        "followed": followed,
        "can_follow": follow_services.can_follow(request.user),
        "tag_form": tag_form or TagFollowForm(),
        "domain_form": domain_form or DomainFollowForm(followed=followed["domains"]),
        "tag_suggestions": readable_tags_for(request.user)[:TAG_SUGGESTIONS],
        "feed_url": feed_url,
    }
    return render(request, "knowledge_factory/following.html", context, status=status)


@require_http_methods(["GET"])
def following(request):
    return _following_page(request)


def _next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_http_methods(["POST"])
def follow(request):
    if not follow_services.can_follow(request.user):
        raise Http404
    is_domain = "domain" in request.POST
    form = (
        DomainFollowForm(request.POST, followed=follows_for(request.user)["domains"])
        if is_domain
        else TagFollowForm(request.POST)
    )
    if form.is_valid():
        try:
            follow_services.follow_add(actor=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, _("You follow it now: new items with it will be sent to you.")
            )
            return redirect(_next(request, reverse("knowledge_factory:following")))
    kind = "domain_form" if is_domain else "tag_form"
    return _following_page(request, status=400, **{kind: form})


@require_http_methods(["POST"])
def unfollow(request):
    try:
        follow_services.follow_remove(
            actor=request.user,
            tag=request.POST.get("tag", ""),
            domain=request.POST.get("domain", ""),
        )
    except ValidationError:
        messages.error(request, _("Choose a tag or a domain."))
    else:
        messages.success(request, _("You no longer follow it."))
    return redirect(_next(request, reverse("knowledge_factory:following")))


@require_http_methods(["POST"])
def feed_renew(request):
    follow_services.feed_token_renew(member=request.user)
    messages.success(request, _("Your feed has a new address; the previous one no longer works."))
    return redirect("knowledge_factory:following")


class ItemFeed(Feed):
    """A member's personal Atom feed of new items (feed readers cannot sign in: the secret
    address names the member): the newest published items with a tag or domain they follow,
    or all when they follow nothing, that they may read at the time of each fetch."""

    feed_type = Atom1Feed
    # The secret address is the key; LoginRequiredMiddleware reads this attribute on the view.
    login_required = False

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    def get_object(self, request, token):
        feed = (
            ReaderFeed.objects.select_related("member")
            .filter(token=token, member__is_active=True, member__deleted_at__isnull=True)
            .first()
            if token and len(token) <= 64 and "\x00" not in token
            else None
        )
        if feed is None or feed.member.is_suspended:
            raise Http404
        return feed.member

    def title(self, member):
        return _("ILEAnet Knowledge Factory")

    def subtitle(self, member):
        return _("New items with the tags and domains you follow.")

    def link(self, member):
        return reverse("knowledge_factory:index")

    def items(self, member):
        return (
            Item.objects.visible_to(member)
            .published()
            .filter(follow_services.followed_items_filter(member))
            .prefetch_related("tags")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item):
        return _NOT_XML.sub("", item.title)

    def item_description(self, item):
        # Atom's summary is read as HTML: the plain text is escaped once more.
        return escape(_NOT_XML.sub("", item.summary))

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [_NOT_XML.sub("", tag.name) for tag in item.tags.all()]

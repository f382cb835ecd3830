"""A member's personal API tokens (SPEC §6.2), on their account pages. The member gate has
already made this session pass the second factor where it is mandatory, so a token never
carries a password-only session's standing to a script."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import ApiTokenForm
from ..selectors.security import api_token_list_for
from ..services.api_tokens import api_token_create, api_token_revoke


def _page(request, form, *, key=None, status=200):
    context = {"form": form, "tokens": api_token_list_for(request.user), "key": key}
    return render(request, "community/api_tokens.html", context, status=status)


@require_http_methods(["GET", "POST"])
def api_token_list(request):
    if request.method == "GET":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _token, key = api_token_create(
                actor=request.user, name=form.cleaned_data["name"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            # Rendered, not redirected: the key is shown this once and kept nowhere, not even
            # in the session a redirect would need.
            return _page(request, ApiTokenForm(), key=key, status=201)
    return _page(request, form, status=400)


@require_http_methods(["POST"])
def api_token_revoke_view(request, pk):
    token = api_token_list_for(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("The token %(name)s is revoked.") % {"name": token.name})
    return redirect("community:api-tokens")

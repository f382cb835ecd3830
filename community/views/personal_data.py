"""A member's own data: download it all, or delete the account."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..forms import AccountDeleteForm
from ..selectors.security import security_event_list_for
from ..services.personal_data import account_delete, personal_data_export


def _page(request, form, status=200):
    context = {"form": form, "security_events": security_event_list_for(request.user)}
    return render(request, "community/personal_data.html", context, status=status)


@require_http_methods(["GET"])
def personal_data(request):
    return _page(request, AccountDeleteForm(user=request.user))


@require_http_methods(["GET"])
def personal_data_download(request):
    response = HttpResponse(
        personal_data_export(member=request.user), content_type="application/zip"
    )
    response["Content-Disposition"] = 'attachment; filename="ileanet-my-data.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["POST"])
def account_delete_view(request):
    form = AccountDeleteForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            account_delete(actor=request.user, member=request.user)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            logout(request)
            return redirect("community:account-deleted")
    return _page(request, form, status=400)


@login_not_required
@require_http_methods(["GET"])
def account_deleted(request):
    return render(request, "community/account_deleted.html")

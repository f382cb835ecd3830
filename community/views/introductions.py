from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import IntroductionForm
from ..models import MemberIntroduction
from ..roles import is_community_manager
from ..services.onboarding import members_connect


@require_http_methods(["GET", "POST"])
def member_connect(request):
    if not is_community_manager(request.user):
        raise Http404
    form = IntroductionForm(request.POST or None, initial={"member_a": request.GET.get("a", "")})
    if request.method == "POST" and form.is_valid():
        try:
            members_connect(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The introduction is on its way to both members."))
            return redirect("community:member-connect")
    recent = MemberIntroduction.objects.select_related(
        "member_a", "member_b", "introduced_by"
    ).order_by("-created_at")[:20]
    return render(request, "community/member_connect.html", {"form": form, "recent": recent})

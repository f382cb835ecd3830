"""Knowledge Factory pages: the periodic newsletter (SPEC §5).

Knowledge managers see every newsletter, make a draft for a period, write its introduction,
download the draft's PDF and publish it. Other members see the published ones they may read
(``community.visibility.knowledge_newsletter_visible_filter``); anything else is a 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from community.visibility import can_review_knowledge, knowledge_newsletter_visible_filter

from ..models import Newsletter
from ..services import newsletters as services


class NewsletterCreateForm(forms.Form):
    period_start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Leave empty for “ILEAnet Knowledge Factory newsletter — month”."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its first day."))
        return data


class NewsletterEditForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    introduction = forms.CharField(
        label=gettext_lazy("Introduction"),
        max_length=20_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Markdown. Its first paragraph is the summary of the published newsletter."
        ),
    )


def _newsletter(user, pk) -> Newsletter:
    """The newsletter if ``user`` may see it, else 404 (missing and forbidden look the same)."""
    newsletter = (
        Newsletter.objects.filter(knowledge_newsletter_visible_filter(user), pk=pk)
        .select_related("item")
        .first()
    )
    if newsletter is None:
        raise Http404
    return newsletter


def _require_knowledge_manager(user) -> None:
    if not can_review_knowledge(user):
        raise Http404


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "POST"])
def newsletter_list(request):
    manages = can_review_knowledge(request.user)
    form = None
    if manages:
        start, end = services.previous_month(timezone.localdate())
        form = NewsletterCreateForm(initial={"period_start": start, "period_end": end})
    if request.method == "POST":
        _require_knowledge_manager(request.user)
        form = NewsletterCreateForm(request.POST)
        if form.is_valid():
            try:
                newsletter = services.newsletter_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The draft is ready: write its introduction."))
                return redirect("knowledge_factory:newsletter-edit", pk=newsletter.pk)
    newsletters = Newsletter.objects.filter(knowledge_newsletter_visible_filter(request.user))
    return render(
        request,
        "knowledge_factory/newsletter_list.html",
        {
            "newsletters": newsletters.select_related("item"),
            "form": form,
            "manages": manages,
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def newsletter_edit(request, pk):
    _require_knowledge_manager(request.user)
    newsletter = _newsletter(request.user, pk)
    form = NewsletterEditForm(
        initial={"title": newsletter.title, "introduction": newsletter.introduction}
    )
    if request.method == "POST":
        form = NewsletterEditForm(request.POST)
        if form.is_valid():
            try:
                services.newsletter_update(
                    actor=request.user, newsletter=newsletter, **form.cleaned_data
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("knowledge_factory:newsletter-edit", pk=newsletter.pk)
    return render(
        request,
        "knowledge_factory/newsletter_edit.html",
        {
            "newsletter": newsletter,
            "period": services.newsletter_period_label(
                newsletter.period_start, newsletter.period_end
            ),
            "form": form,
            "groups": services.newsletter_items(newsletter),
            "is_draft": newsletter.status == Newsletter.Status.DRAFT,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET"])
def newsletter_pdf(request, pk):
    newsletter = _newsletter(request.user, pk)
    filename = services.newsletter_filename(newsletter)
    if newsletter.status == Newsletter.Status.PUBLISHED:
        # The frozen PDF of the published item, as its readers got it.
        if newsletter.item is None or not newsletter.item.file:
            raise Http404
        try:
            handle = newsletter.item.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type="application/pdf", filename=filename)
    else:
        response = HttpResponse(services.newsletter_pdf(newsletter), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["POST"])
def newsletter_publish(request, pk):
    _require_knowledge_manager(request.user)
    newsletter = _newsletter(request.user, pk)
    try:
        item = services.newsletter_publish(actor=request.user, newsletter=newsletter)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("knowledge_factory:newsletter-edit", pk=newsletter.pk)
    messages.success(request, _("The newsletter is published."))
    return redirect(item.get_absolute_url())

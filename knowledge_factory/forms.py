"""Validation only: the item form (submit, edit) and the reviewers' decision form. The writes
are knowledge_factory.services.items'."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from community.models import Domain
from community.visibility import need_filter

from .models import ItemType
from .services.items import MAX_NOTE, MAX_TAGS, tags_clean, tiers_for_author


class ItemForm(forms.Form):
    """An item as its author (or a reviewer) writes it. ``actor`` decides the access levels and
    needs offered; ``item`` (when editing) keeps its current need and project valid."""

    type = forms.ChoiceField(label=_("Type"), choices=ItemType.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A few sentences: what it is and why it matters. Shown in lists and search."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Optional. Markdown: **bold**, *italic*, lists, links."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Optional: a PDF, an office document or an image."),
    )
    remove_file = forms.BooleanField(label=_("Remove the attached file"), required=False)
    source_url = forms.URLField(
        label=_("Source link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("Where the original can be found (https://…)."),
    )
    published_on = forms.DateField(
        label=_("Publication date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When the work itself was published."),
    )
    domains = forms.ModelMultipleChoiceField(
        label=_("Domains"),
        queryset=Domain.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Up to %(n)d words or short phrases, separated by commas.") % {"n": MAX_TAGS},
    )
    tier = forms.ChoiceField(label=_("Access level"))
    project = forms.CharField(
        label=_("Related project"),
        required=False,
        max_length=100,
        help_text=_("Optional: the project's acronym as in the project database, or its number."),
    )
    need = forms.ModelChoiceField(
        label=_("Related need"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, actor, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        from ipup.models import Need

        self.actor, self.item = actor, item
        self.fields["tier"].choices = tiers_for_author(actor)
        needs = Need.objects.filter(need_filter(actor)).only("pk", "title").order_by("title")
        self.fields["need"].queryset = needs
        if item is not None and item.need_id and not needs.filter(pk=item.need_id).exists():
            # A need a reviewer set that the editor cannot read: kept, neither shown nor offered.
            del self.fields["need"]
        if item is None or not item.file:
            del self.fields["remove_file"]

    def clean_tags(self):
        try:
            return tags_clean(self.cleaned_data["tags"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["tags"]) from None

    def clean_project(self):
        from ipup.models import ResearchProject

        text = self.cleaned_data["project"].strip()
        if not text:
            return None
        if text.isdigit():
            project = ResearchProject.objects.filter(pk=int(text)).only("pk").first()
            if project is not None:
                return project
        matches = list(ResearchProject.objects.filter(acronym__iexact=text).only("pk")[:2])
        if self.item is not None and self.item.project_id in [m.pk for m in matches]:
            return next(m for m in matches if m.pk == self.item.project_id)
        if not matches:
            raise ValidationError(_("No project in the project database has this acronym."))
        if len(matches) > 1:
            raise ValidationError(
                _("Several projects have this acronym: give the project's number instead (in its page's address).")
            )  # fmt: skip
        return matches[0]

    def values(self) -> dict:
        """The service's keyword arguments."""
        data = dict(self.cleaned_data)
        data.pop("remove_file", None)
        if self.cleaned_data.get("remove_file"):
            data["clear_file"] = True
        if not data.get("file"):
            data.pop("file", None)
        return data


def item_initial(item) -> dict:
    return {
        "type": item.type,
        "title": item.title,
        "summary": item.summary,
        "body": item.body,
        "source_url": item.source_url,
        "published_on": item.published_on,
        "domains": list(item.domains.all()),
        "tags": ", ".join(sorted(item.tags.names())),
        "tier": item.tier,
        "project": (item.project.acronym or str(item.project_id)) if item.project_id else "",
        "need": item.need_id,
    }


class ReviewForm(forms.Form):
    """A reviewer's decision (or the author's withdrawal) on the item's page."""

    ACTIONS = ("publish", "changes", "reject", "unpublish", "withdraw")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    note = forms.CharField(
        label=_("Note to the author"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

"""``{% showcase_feedback_panel %}``: the feedback part of a showcase page, computed here so the
page's own view does not have to know about it (ipup.views.feedback decides what is shown)."""

from django import template

register = template.Library()


@register.inclusion_tag("ipup/feedback_panel.html", takes_context=True)
def showcase_feedback_panel(context):
    from ..views.feedback import feedback_panel_context

    panel = feedback_panel_context(
        showcase=context["showcase"],
        user=context["request"].user,
        registration=context.get("registration"),
    )
    panel["request"] = context["request"]
    panel["csrf_token"] = context.get("csrf_token")
    return panel

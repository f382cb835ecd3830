"""IPUP's part of a member's personal data: their survey answers in the export, and the
e-mail kept on their survey invitations erased with their account.

Answers submitted to an anonymous survey are not in the export: nothing links them to the
member any more (ipup.services.responses), so they cannot be found, not even for them. The
export says which anonymous surveys they answered, and why those answers are missing."""

from django.utils.translation import gettext as _


def survey_answers_export(member) -> dict[str, list]:
    from .models import Answer, SurveyInvitation

    rows = Answer.objects.filter(response__invitation__member=member).values(
        "response__survey__title",
        "response__status",
        "response__submitted_at",
        "question__text",
        "need__title",
        "value",
    )
    anonymous = SurveyInvitation.objects.filter(
        member=member, has_answered=True, survey__is_anonymous=True
    ).values_list("survey__title", flat=True)
    return {
        "survey_answers.json": [
            {
                "survey": row["response__survey__title"],
                "status": row["response__status"],
                "submitted_at": row["response__submitted_at"],
                "question": row["question__text"],
                "need": row["need__title"],
                "answer": row["value"],
            }
            for row in rows
        ],
        "anonymous_surveys_answered.json": [
            {
                "survey": title,
                "answers": _(
                    "Stored without your name, e-mail or the time you answered: they can no "
                    "longer be found, so they are not in this export."
                ),
            }
            for title in anonymous
        ],
    }


def survey_invitations_erase(member) -> None:
    from .models import SurveyInvitation

    SurveyInvitation.objects.filter(member=member).update(email=member.email)


def stage_three_export(member) -> dict[str, list]:
    """The member's event registrations, the document versions they submitted and the review
    comments they wrote (the documents themselves are the project's, not personal data)."""
    from .models import DocumentVersion, EventRegistration, ReviewComment

    return {
        "event_registrations.json": list(
            EventRegistration.objects.filter(member=member).values(
                "showcase__event__title", "category", "status", "registered_at", "attended"
            )
        ),
        "document_versions_submitted.json": list(
            DocumentVersion.objects.filter(submitted_by=member).values(
                "document__project__acronym", "document__kind", "number", "submitted_at", "data"
            )
        ),
        "review_comments_written.json": list(
            ReviewComment.objects.filter(author=member).values(
                "version__document__project__acronym",
                "version__document__kind",
                "version__number",
                "part",
                "body",
                "created_at",
            )
        ),
    }

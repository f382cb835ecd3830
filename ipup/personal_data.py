"""IPUP's part of a member's personal data: their survey answers in the export, and the
e-mail kept on their survey invitations erased with their account."""


def survey_answers_export(member) -> dict[str, list]:
    from .models import Answer

    rows = Answer.objects.filter(response__invitation__member=member).values(
        "response__survey__title",
        "response__status",
        "response__submitted_at",
        "question__text",
        "need__title",
        "value",
    )
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
        ]
    }


def survey_invitations_erase(member) -> None:
    from .models import SurveyInvitation

    SurveyInvitation.objects.filter(member=member).update(email=member.email)

from .needs import Need
from .surveys import (
    DEFAULT_ROLE_WEIGHTS,
    Answer,
    Question,
    Response,
    Section,
    Survey,
    SurveyInvitation,
    SurveyReminder,
)

__all__ = [
    "DEFAULT_ROLE_WEIGHTS",
    "Answer",
    "Need",
    "Question",
    "Response",
    "Section",
    "Survey",
    "SurveyInvitation",
    "SurveyReminder",
]

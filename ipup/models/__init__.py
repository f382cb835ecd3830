from .needs import Need
from .projects import (
    ContactCheck,
    ProjectClaim,
    ProjectContact,
    ProjectParticipant,
    ProjectUserObjectPermission,
    ResearchProject,
    ScreeningCandidate,
    SotaRecommendation,
)
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
    "ContactCheck",
    "Need",
    "ProjectClaim",
    "ProjectContact",
    "ProjectParticipant",
    "ProjectUserObjectPermission",
    "Question",
    "ResearchProject",
    "Response",
    "ScreeningCandidate",
    "Section",
    "SotaRecommendation",
    "Survey",
    "SurveyInvitation",
    "SurveyReminder",
]

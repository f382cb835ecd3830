from .documents import DocumentKind, DocumentVersion, ProjectDocument, ProjectPdf, ReviewComment
from .events import AgendaItem, AudienceCategory, EventRegistration, ShowcaseEvent
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
    "AgendaItem",
    "Answer",
    "AudienceCategory",
    "ContactCheck",
    "DocumentKind",
    "DocumentVersion",
    "EventRegistration",
    "Need",
    "ProjectClaim",
    "ProjectContact",
    "ProjectDocument",
    "ProjectParticipant",
    "ProjectPdf",
    "ProjectUserObjectPermission",
    "Question",
    "ResearchProject",
    "Response",
    "ReviewComment",
    "ScreeningCandidate",
    "Section",
    "ShowcaseEvent",
    "SotaRecommendation",
    "Survey",
    "SurveyInvitation",
    "SurveyReminder",
]

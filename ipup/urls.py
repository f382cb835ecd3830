from django.urls import path

from .views import (
    answers,
    builder,
    contacts,
    documents,
    events,
    exports,
    feedback,
    needs,
    pdfs,
    projects,
    public,
    ranking,
    results,
    screening,
    surveys,
)

app_name = "ipup"

urlpatterns = [
    path("surveys/mine/", answers.my_surveys, name="my-surveys"),
    path("surveys/answer/<str:token>/", answers.survey_answer, name="survey-answer"),
    # A survey's short link (views/public.py)
    path("s/<str:code>/", public.survey_short, name="survey-short"),
    # Needs catalogue (views/needs.py)
    path("needs/", needs.need_list, name="need-list"),
    path("needs/new/", needs.need_edit, name="need-create"),
    path("needs/from-thread/<int:thread_id>/", needs.need_edit, name="need-from-thread"),
    path("needs/<int:pk>/", needs.need_detail, name="need-detail"),
    path("needs/<int:pk>/edit/", needs.need_edit, name="need-edit"),
    path("needs/<int:pk>/status/", needs.need_status, name="need-status"),
    # Screening a need against the research projects (views/screening.py)
    path("needs/<int:pk>/screening/", screening.need_screening, name="need-screening"),
    path(
        "needs/<int:pk>/screening/judge/<int:project_id>/",
        screening.screening_judge,
        name="need-screening-judge",
    ),
    path("needs/<int:pk>/screening/sota/", screening.screening_sota, name="need-sota-create"),
    path(
        "needs/<int:pk>/screening/sota/<int:sota_id>/status/",
        screening.screening_sota_status,
        name="need-sota-status",
    ),
    # Survey management, response rates and exports (views/surveys.py)
    path("surveys/", surveys.survey_list, name="survey-list"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey-detail"),
    path("surveys/<int:pk>/results/", results.survey_results, name="survey-results"),
    path("surveys/<int:pk>/qr.svg", public.survey_qr, name="survey-qr"),
    path("surveys/<int:pk>/qr.png", public.survey_qr_png, name="survey-qr-png"),
    # The survey builder (views/builder.py)
    path("surveys/new/", builder.survey_edit, name="survey-create"),
    path("surveys/<int:pk>/edit/", builder.survey_edit, name="survey-edit"),
    path("surveys/<int:pk>/build/", builder.survey_build, name="survey-build"),
    path("surveys/<int:pk>/preview/", builder.survey_preview, name="survey-preview"),
    path("surveys/<int:pk>/test-send/", builder.survey_test_send, name="survey-test-send"),
    path("surveys/<int:pk>/sections/new/", builder.section_edit, name="section-create"),
    path(
        "surveys/<int:pk>/sections/<int:section_id>/edit/",
        builder.section_edit,
        name="section-edit",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_id>/delete/",
        builder.section_action,
        {"action": "delete"},
        name="section-delete",
    ),
    path(
        "surveys/<int:pk>/sections/<int:section_id>/move/",
        builder.section_action,
        {"action": "move"},
        name="section-move",
    ),
    path("surveys/<int:pk>/questions/new/", builder.question_edit, name="question-create"),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/edit/",
        builder.question_edit,
        name="question-edit",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/delete/",
        builder.question_action,
        {"action": "delete"},
        name="question-delete",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/move/",
        builder.question_action,
        {"action": "move"},
        name="question-move",
    ),
    path(
        "surveys/<int:pk>/publish/",
        surveys.survey_action,
        {"action": "publish"},
        name="survey-publish",
    ),
    path(
        "surveys/<int:pk>/close/", surveys.survey_action, {"action": "close"}, name="survey-close"
    ),
    # Ranking and its exports (views/ranking.py)
    path("surveys/<int:pk>/ranking/", ranking.survey_ranking_page, name="survey-ranking"),
    path(
        "surveys/<int:pk>/ranking/apply/",
        ranking.survey_ranking_apply,
        name="survey-ranking-apply",
    ),
    path("surveys/<int:pk>/ranking.csv", ranking.survey_ranking_csv, name="survey-ranking-csv"),
    path("surveys/<int:pk>/ranking.pdf", ranking.survey_ranking_pdf, name="survey-ranking-pdf"),
    path(
        "surveys/<int:pk>/responses.csv",
        exports.survey_responses_csv,
        name="survey-responses-csv",
    ),
    path(
        "surveys/<int:pk>/responses.xlsx",
        exports.survey_responses_xlsx,
        name="survey-responses-xlsx",
    ),
    # Living contacts: the e-mailed confirmation link and the stale projects (views/contacts.py)
    path("contacts/confirm/<str:token>/", contacts.contact_confirm_page, name="contact-confirm"),
    path("projects/stale/", contacts.stale_project_list, name="stale-projects"),
    path("contacts/<int:pk>/remind/", contacts.contact_remind, name="contact-remind"),
    # Research projects: list, page, holders and claims (views/projects.py)
    path("projects/", projects.project_list, name="project-list"),
    path("projects/claims/", projects.project_claim_list, name="project-claims"),
    path(
        "projects/claims/<int:claim_id>/decide/",
        projects.project_claim_decision,
        name="project-claim-decide",
    ),
    path("projects/<int:pk>/", projects.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", projects.project_edit, name="project-edit"),
    path("projects/<int:pk>/claim/", projects.project_claim, name="project-claim"),
    path("projects/<int:pk>/holders/", projects.project_holders, name="project-holders"),
    path("projects/<int:pk>/contacts/", projects.project_contacts, name="project-contacts"),
    path(
        "projects/<int:pk>/contacts/<int:contact_id>/edit/",
        projects.project_contacts,
        name="project-contact-edit",
    ),
    path(
        "projects/<int:pk>/contacts/<int:contact_id>/delete/",
        projects.project_contact_delete,
        name="project-contact-delete",
    ),
    # Project documents and their review (views/documents.py) — issue 13, documents
    path("projects/mine/", documents.my_projects, name="my-projects"),
    path("projects/documents/reviews/", documents.document_review_list, name="document-reviews"),
    path(
        "projects/<int:project_id>/documents/<str:kind>/",
        documents.document_detail,
        name="document-detail",
    ),
    path(
        "projects/<int:project_id>/documents/<str:kind>/edit/",
        documents.document_edit,
        name="document-edit",
    ),
    path(
        "projects/<int:project_id>/documents/<str:kind>/review/",
        documents.document_review_page,
        name="document-review",
    ),
    # Project PDFs (views/pdfs.py) — issue 13, PDFs
    path("projects/<int:pk>/documents/<str:kind>.pdf", pdfs.document_pdf, name="document-pdf"),
    path("projects/<int:pk>/pack.pdf", pdfs.project_pack_pdf, name="project-pack-pdf"),
    # Showcase events and webinars (views/events.py) — issue 13, events
    path("events/", events.showcase_list, name="showcase-list"),
    path("events/new/", events.showcase_edit, name="showcase-create"),
    path("events/<int:pk>/", events.showcase_detail, name="showcase-detail"),
    path("events/<int:pk>/edit/", events.showcase_edit, name="showcase-edit"),
    path("events/<int:pk>/register/", events.showcase_register, name="showcase-register"),
    path("events/<int:pk>/unregister/", events.showcase_unregister, name="showcase-unregister"),
    path("events/<int:pk>/agenda/", events.showcase_agenda_add, name="showcase-agenda-add"),
    path(
        "events/<int:pk>/agenda/<int:item_id>/remove/",
        events.showcase_agenda_remove,
        name="showcase-agenda-remove",
    ),
    path(
        "events/<int:pk>/agenda/<int:item_id>/move/",
        events.showcase_agenda_move,
        name="showcase-agenda-move",
    ),
    path("events/<int:pk>/attendance/", events.showcase_attendance, name="showcase-attendance"),
    # Event feedback, interest scores, next steps (views/feedback.py) — issue 13, feedback
    path("events/<int:pk>/feedback/", feedback.showcase_feedback, name="showcase-feedback"),
    path(
        "events/<int:pk>/feedback/rate/",
        feedback.showcase_response_rate,
        name="showcase-feedback-rate",
    ),
    path("events/<int:pk>/feedback/send/", feedback.feedback_send, name="showcase-feedback-send"),
    path(
        "events/<int:pk>/next-steps/send/",
        feedback.next_steps_send,
        name="showcase-next-steps-send",
    ),
]

from django.urls import path

from .views import (
    answers,
    builder,
    contacts,
    exports,
    needs,
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
]

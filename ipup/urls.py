from django.urls import path

from .views import answers, builder, exports, needs, public, ranking, results, surveys

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
]

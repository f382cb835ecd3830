from django.urls import path

from .views import answers, needs, surveys

app_name = "ipup"

urlpatterns = [
    path("surveys/mine/", answers.my_surveys, name="my-surveys"),
    path("surveys/answer/<str:token>/", answers.survey_answer, name="survey-answer"),
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
]

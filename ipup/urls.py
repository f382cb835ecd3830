from django.urls import path

from .views import answers, surveys

app_name = "ipup"

urlpatterns = [
    path("surveys/mine/", answers.my_surveys, name="my-surveys"),
    path("surveys/answer/<str:token>/", answers.survey_answer, name="survey-answer"),
    # Needs catalogue (views/needs.py)
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

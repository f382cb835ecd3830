from django.urls import path

from .views import answers

app_name = "ipup"

urlpatterns = [
    path("surveys/mine/", answers.my_surveys, name="my-surveys"),
    path("surveys/answer/<str:token>/", answers.survey_answer, name="survey-answer"),
    # Needs catalogue (views/needs.py)
    # Survey management, response rates and exports (views/surveys.py)
    # Ranking and its exports (views/ranking.py)
]

"""/api/v1/surveys/: included by config.urls before the api app's catch-all."""

from django.urls import path, re_path

from api.views import not_found

from . import api, api_data

urlpatterns = [
    path("plans/", api.PlanListCreateApi.as_view(), name="api-survey-plans"),
    path("plans/<int:pk>/", api.PlanDetailApi.as_view(), name="api-survey-plan"),
    path("plans/<int:pk>/approve/", api.PlanApproveApi.as_view(), name="api-survey-plan-approve"),
    path("plans/<int:pk>/questionnaires/", api.QuestionnaireListCreateApi.as_view(), name="api-survey-questionnaires"),
    path("plans/<int:pk>/questionnaires/<int:number>/", api.QuestionnaireDetailApi.as_view(),
         name="api-survey-questionnaire"),
    path("plans/<int:pk>/questionnaires/<int:number>/freeze/", api.QuestionnaireFreezeApi.as_view(),
         name="api-survey-questionnaire-freeze"),
    path("plans/<int:pk>/close/", api.PlanCloseApi.as_view(), name="api-survey-plan-close"),
    path("plans/<int:pk>/answers/", api.AnswerListCreateApi.as_view(), name="api-survey-answers"),
    path("plans/<int:pk>/answers/<int:answer_id>/corrections/", api.AnswerCorrectionApi.as_view(),
         name="api-survey-answer-corrections"),
    path("results/", api_data.ResultsListApi.as_view(), name="api-survey-results"),
    path("results/<int:pk>/", api_data.ResultsDetailApi.as_view(), name="api-survey-results-detail"),
    path("results/<int:pk>/tables.csv", api_data.ResultsTablesCsvApi.as_view(), name="api-survey-results-csv"),
    path("results/<int:pk>/tables.xlsx", api_data.ResultsTablesXlsxApi.as_view(), name="api-survey-results-xlsx"),
    path("data-system/", api_data.DataSystemApi.as_view(), name="api-survey-data-system"),
    path("bank/", api_data.BankListApi.as_view(), name="api-survey-bank"),
    re_path(r"^[\s\S]*$", not_found),
]

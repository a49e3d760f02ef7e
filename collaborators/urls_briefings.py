from django.urls import path

from . import views_briefings as views

app_name = "briefings"

urlpatterns = [
    path("briefings/", views.briefing_list, name="list"),
    path("briefings/new/", views.briefing_create_view, name="create"),
    path("briefings/<int:pk>/", views.briefing_detail, name="detail"),
    path("briefings/<int:pk>/save/", views.briefing_save, name="save"),
    path("briefings/<int:pk>/decisions/", views.decision_add, name="decision_add"),
    path("briefings/<int:pk>/decisions/<int:decision_pk>/case/", views.decision_case, name="decision_case"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("evaluation/<str:code>/", views.evaluation, name="evaluation"),
    path("evaluation/rate/<int:collaborator_pk>/", views.evaluation_rate_view, name="rate"),
]

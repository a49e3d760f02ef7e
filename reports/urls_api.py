"""/api/v1/reports/: included by config.urls before the api app's catch-all."""

from django.urls import path, re_path

from api.views import not_found

from . import api

urlpatterns = [
    path("", api.ReportListCreateApi.as_view(), name="api-reports"),
    path("<int:pk>/", api.ReportDetailApi.as_view(), name="api-report"),
    path("<int:pk>/submit/", api.ReportSubmitApi.as_view(), name="api-report-submit"),
    path("<int:pk>/corrections/", api.ReportCorrectApi.as_view(), name="api-report-correct"),
    re_path(r"^[\s\S]*$", not_found),  # [\s\S]: a path with a newline in it is a JSON 404 too
]

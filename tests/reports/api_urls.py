"""Only the reports API, to check that its views document themselves fully."""

from django.urls import include, path

urlpatterns = [path("api/v1/reports/", include("reports.urls_api"))]

from django.contrib import admin
from django.urls import include, path

from config.metrics import metrics_view

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/reports/", include("reports.urls_api")),  # before api.urls, which ends with a catch-all
    path("api/v1/surveys/", include("surveys.urls_api")),
    path("api/v1/", include("collaborators.urls_api")),  # collaborators/, subjects/, opinion-notes/; no catch-all
    path("api/v1/", include("api.urls")),
    path("health/", include("workflow.urls")),
    path("metrics", metrics_view, name="metrics"),  # Prometheus; the monitoring network only (METRICS_ALLOWED_NETWORKS)
    path("notifications/", include("notifications.urls")),
    path("security/", include("security.urls")),
    path("reports/", include("reports.urls")),
    path("surveys/", include("surveys.urls")),
    path("khao-sat/", include("surveys.urls_public")),  # the online form for residents, no login
    path("openrosa/", include("surveys.urls_openrosa")),  # ODK Collect, Enketo: HTTP Basic over the accounts
    path("collaborators/", include("collaborators.urls")),
    path("collaborators/", include("collaborators.urls_briefings")),
    path("", include("web.urls")),
]

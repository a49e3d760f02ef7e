from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views, views_stats
from .adapters import open311
from .adapters.georeport_formats import georeport_not_found
from .adapters.webhook import WebhookMessageApi

# Case codes look like DL-2026-000123; anything else is a 404 before any query.
CODE = r"(?P<code>[-\w]{1,40})"
# GeoReport names its format by the extension (`services.xml`); DRF picks the renderer from `format`.
FORMAT = r"(?P<format>json|xml)"

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-token"),
    path("auth/logout/", views.TokenLogoutApi.as_view(), name="api-logout"),
    path("auth/logout-all/", views.TokenLogoutAllApi.as_view(), name="api-logout-all"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("cases/", views.CaseListCreateApi.as_view(), name="api-cases"),
    path("stats/", views_stats.StatsApi.as_view(), name="api-stats"),
    re_path(rf"^cases/{CODE}/$", views.CaseDetailApi.as_view(), name="api-case"),
    re_path(rf"^cases/{CODE}/events/$", views.CaseEventsApi.as_view(), name="api-case-events"),
    re_path(rf"^cases/{CODE}/notes/$", views.CaseNotesApi.as_view(), name="api-case-notes"),
    re_path(rf"^cases/{CODE}/transitions/$", views.CaseTransitionsApi.as_view(), name="api-case-transitions"),
    *(
        re_path(rf"^cases/{CODE}/transitions/{name}/$", api.as_view(), name=f"api-case-{name}")
        for name, api in views.TRANSITION_APIS.items()
    ),
    path("channels/<slug:source_code>/messages/", WebhookMessageApi.as_view(), name="api-channel-messages"),
    re_path(rf"^open311/v2/discovery\.{FORMAT}$", open311.DiscoveryApi.as_view(), name="open311-discovery"),
    re_path(rf"^open311/v2/services\.{FORMAT}$", open311.ServiceListApi.as_view(), name="open311-services"),
    re_path(rf"^open311/v2/services/(?P<service_code>[-\w]{{1,32}})\.{FORMAT}$", open311.ServiceDefinitionApi.as_view(),
            name="open311-service"),
    re_path(rf"^open311/v2/requests\.{FORMAT}$", open311.ServiceRequestListCreateApi.as_view(), name="open311-requests"),
    re_path(rf"^open311/v2/requests/{CODE}\.{FORMAT}$", open311.ServiceRequestDetailApi.as_view(), name="open311-request"),
    re_path(rf"^open311/v2/tokens/(?P<token>[-\w]{{1,40}})\.{FORMAT}$", open311.TokenApi.as_view(), name="open311-token"),
    # Anything else under the facade answers as GeoReport does, in the format its extension names.
    re_path(r"^open311/[\s\S]*$", georeport_not_found),
    # [\s\S], not ".": a path with a newline in it ("x%0A") is caught too, not left to Django's 404 page.
    re_path(r"^[\s\S]*$", views.not_found),
]

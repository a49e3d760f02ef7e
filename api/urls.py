from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import views

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("cases/", views.CaseListCreateApi.as_view(), name="api-cases"),
    path("cases/<str:code>/", views.CaseDetailApi.as_view(), name="api-case"),
    path("cases/<str:code>/events/", views.CaseEventsApi.as_view(), name="api-case-events"),
    path("cases/<str:code>/transitions/", views.CaseTransitionsApi.as_view(), name="api-case-transitions"),
    *(
        path(f"cases/<str:code>/transitions/{name}/", api.as_view(), name=f"api-case-{name}")
        for name, api in views.TRANSITION_APIS.items()
    ),
    re_path(r"^.*$", views.not_found),
]

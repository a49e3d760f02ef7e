"""Only this app's URLs, to check that its own views document themselves fully."""

from django.urls import include, path

urlpatterns = [path("api/v1/", include("api.urls"))]

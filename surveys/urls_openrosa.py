"""/openrosa/: the OpenRosa form list, form download and submission APIs (surveys.views_openrosa)."""

from django.urls import path

from . import views_openrosa

app_name = "openrosa"

urlpatterns = [
    path("formList", views_openrosa.form_list_view, name="form_list"),
    path("forms/<int:pk>/<int:number>.xml", views_openrosa.form_download, name="form"),
    path("submission", views_openrosa.submission, name="submission"),
]

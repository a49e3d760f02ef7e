"""/api/v1/collaborators/, /api/v1/subjects/, /api/v1/opinion-notes/: included by config.urls before the api
app's catch-all, which answers every other path (this list has no catch-all of its own)."""

from django.urls import path, re_path

from . import api

urlpatterns = [
    path("collaborators/", api.CollaboratorListApi.as_view(), name="api-collaborators"),
    path("subjects/", api.SubjectListCreateApi.as_view(), name="api-subjects"),
    path("opinion-notes/", api.NoteListCreateApi.as_view(), name="api-opinion-notes"),
    re_path(r"^opinion-notes/(?P<code>[-\w]{1,20})/$", api.NoteDetailApi.as_view(), name="api-opinion-note"),
]

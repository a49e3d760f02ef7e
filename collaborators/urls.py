from django.urls import path

from . import views, views_notes

app_name = "collaborators"

urlpatterns = [
    path("", views.home, name="home"),
    path("notes/", views_notes.my_notes, name="my_notes"),
    path("notes/all/", views_notes.note_list, name="note_list"),
    path("notes/<str:code>/", views_notes.note_detail, name="note"),
    path("notes/<str:code>/redact/", views_notes.note_redact_view, name="note_redact"),
    path("notes/<str:code>/case/", views_notes.note_case_view, name="note_case"),
    path("subjects/new/", views.subject_create, name="subject_create"),
    path("subjects/<int:pk>/", views.subject_detail, name="subject"),
    path("subjects/<int:pk>/requests/", views.request_send, name="request_send"),
    path("subjects/<int:pk>/status/", views.subject_status, name="subject_status"),
    path("network/<str:code>/", views.network, name="network"),
    path("network/<str:code>/targets/", views.target_set, name="target_set"),
    path("network/<str:code>/new/", views.collaborator_edit, name="collaborator_new"),
    path("network/<str:code>/<int:pk>/", views.collaborator_edit, name="collaborator_edit"),
]

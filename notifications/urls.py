from django.urls import path, re_path

from api.views import not_found

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListApi.as_view(), name="list"),
    path("groups/", views.NotificationGroupListApi.as_view(), name="groups"),
    path("unread-count/", views.UnreadCountApi.as_view(), name="unread-count"),
    path("<int:notification_id>/read/", views.NotificationReadApi.as_view(), name="read"),
    path("read-all/", views.NotificationReadAllApi.as_view(), name="read-all"),
    path("preference/", views.PreferenceApi.as_view(), name="preference"),
    # Any other path here is a JSON 404 too, never the web's HTML page ([\s\S]: a newline in the path as well).
    re_path(r"^[\s\S]*$", not_found),
]

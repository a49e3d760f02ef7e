from django.urls import path

from . import views_public

app_name = "surveys_public"

urlpatterns = [
    path("<int:pk>/", views_public.public_form, name="form"),
]

from django.urls import path

from . import views_public

app_name = "surveys_public"

urlpatterns = [
    path("<int:pk>/", views_public.public_form, name="form"),
    # Results published as public: readable without signing in, only their frozen (suppressed) tables.
    path("ket-qua/", views_public.public_results_list, name="results_list"),
    path("ket-qua/<int:rid>/", views_public.public_results, name="results"),
]

from django.urls import path

from . import views, views_inspection

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/save/", views.report_save, name="save"),
    path("<int:pk>/submit/", views.report_submit_view, name="submit"),
    path("<int:pk>/correct/", views.report_correct_view, name="correct"),
    path("<int:pk>/export.<str:fmt>", views.report_export, name="export"),
    path("units/<str:code>/", views.unit_children, name="children"),
    path("emerging/", views.emerging, name="emerging"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<uuid:uid>/", views.export_job, name="export_job"),
    path("exports/<uuid:uid>/download/", views.export_download, name="export_download"),
    path("inspection/", views_inspection.inspection_home, name="inspection_home"),
    path("inspection/new/", views_inspection.inspection_create, name="inspection_create"),
    path("inspection/log/", views_inspection.inspection_log, name="inspection_log"),
    path("inspection/admin-changes/", views_inspection.admin_change_log, name="admin_change_log"),
    path("inspection/<int:pk>/", views_inspection.inspection_detail, name="inspection"),
    path("inspection/<int:pk>/cases/", views_inspection.inspection_cases_view, name="inspection_cases"),
    path("inspection/<int:pk>/sample/", views_inspection.inspection_sample, name="inspection_sample"),
    path("inspection/<int:pk>/cases/<str:code>/", views_inspection.inspection_case, name="inspection_case"),
    path("inspection/<int:pk>/notes/", views_inspection.inspection_note, name="inspection_note"),
]

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy
from django.views.generic import RedirectView

from .forms import LoginForm
from .views import bulk, case, dashboard, dev_mailbox, evidence, inspection, intake, notifications, offline, public, queues

app_name = "web"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="web:queue", permanent=False), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(
        success_url=reverse_lazy("web:password_change_done")), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("tra-cuu/", public.public_status, name="public_status"),
    path("tra-cuu/tep/<str:token>/", evidence.public_file, name="public_file"),
    path("tra-cuu/tep/<str:token>/xem-truoc/", evidence.public_file_preview, name="public_file_preview"),
    path("cases/", queues.queue, name="queue"),
    path("cases/export.csv", queues.export, name="export"),
    path("cases/bulk/", bulk.bulk, name="bulk"),
    path("cases/new/", intake.intake, name="intake"),
    path("cases/new/duplicates/", intake.duplicates, name="duplicates"),
    path("units/options/", intake.locality_options, name="locality_options"),
    path("units/people/", case.assignee_options, name="assignee_options"),
    path("cases/<str:code>/", case.case_detail, name="case"),
    path("cases/<str:code>/move/<str:name>/", case.case_move, name="case_move"),
    path("cases/<str:code>/reveal/", case.case_reveal, name="case_reveal"),
    path("cases/<str:code>/notes/", evidence.case_note, name="case_note"),
    path("cases/<str:code>/audit/", case.case_audit, name="case_audit"),
    path("cases/<str:code>/audit/proof.json", case.case_audit_proof, name="case_audit_proof"),
    path("cases/<str:code>/attachments/<int:attachment_id>/", case.attachment_download, name="attachment"),
    path("cases/<str:code>/attachments/<int:attachment_id>/preview/", evidence.attachment_preview,
         name="attachment_preview"),
    path("cases/<str:code>/tasks/<int:task_id>/take/", case.task_take_view, name="task_take"),
    path("cases/<str:code>/tasks/<int:task_id>/give/", case.task_give_view, name="task_give"),
    # The notifications app's JSON endpoints live under notifications/; the screens under inbox/.
    path("inbox/", notifications.notification_inbox, name="notifications"),
    path("inbox/bell/", notifications.bell_panel, name="bell_panel"),
    path("inbox/group/", notifications.notification_group, name="notification_group"),
    path("inbox/read/", notifications.notification_read, name="notification_read"),
    path("inbox/preferences/", notifications.notification_preferences, name="notification_preferences"),
    path("dev/mailbox/", dev_mailbox.mailbox, name="dev_mailbox"),  # the embedded default's kept email (DEBUG)
    path("dev/mailbox/<str:name>/", dev_mailbox.mailbox_message, name="dev_mailbox_message"),
    # The installable app (docs/offline.md): its manifest, and its service worker at the root to cover every page.
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("inspection/", inspection.inspection, name="inspection"),
    path("inspection/checkpoints/<int:pk>.json", inspection.inspection_checkpoint, name="inspection_checkpoint"),
]

"""The administrator issues enrolment codes and may revoke people's tokens; no secret is ever listed."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from web.admin_site import ChangeLoggedAdmin, ReadOnlyAdmin

from .enrolment import enrolment_code_issue
from .models import EnrolmentCode

# knox's own admin lists digests and lets an administrator add a token for anyone (and be them over the API).
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class PersonTokenAdmin(admin.ModelAdmin):
    """Who holds an API token and until when; deleting one revokes it. Nothing else, no digest."""

    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    readonly_fields = fields
    list_select_related = ["user"]
    search_fields = ["user__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EnrolmentCode)
class EnrolmentCodeAdmin(ChangeLoggedAdmin):
    """Add = issue a code for a person: shown once on the next page, only its digest is kept."""

    list_display = ["user", "created_at", "created_by", "expires_at", "used_at"]
    list_select_related = ["user", "created_by"]
    search_fields = ["user__username"]
    fields = ["user"]
    raw_id_fields = ["user"]

    def has_change_permission(self, request, obj=None):
        return False

    def apply_save(self, request, obj, form, change):
        row, request._enrolment_code = enrolment_code_issue(user=obj.user, by=request.user)
        obj.__dict__.update(row.__dict__)  # the admin's log and answer name the row the service wrote

    def response_add(self, request, obj, post_url_continue=None):
        return TemplateResponse(request, "admin/security/enrolment_code_issued.html", {
            **self.admin_site.each_context(request), "opts": self.opts, "title": _("Mã đăng ký đã cấp"),
            "code": request._enrolment_code, "row": obj,
        })


# django_otp's device page lets an administrator add a device with a secret of their choosing for anyone: with a
# password reset, that is being them. Devices come only from the person's own enrolment (with an
# administrator's one-time code); here they are listed, and deleting one (a lost phone) is recorded.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(ChangeLoggedAdmin, ReadOnlyAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    fields = readonly_fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]

    def has_delete_permission(self, request, obj=None):
        return True

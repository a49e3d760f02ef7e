from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from reports.models import AdminChange
from reports.oversight import admin_change_record, admin_values
from web.admin_site import ChangeLoggedAdmin

from .integration_keys import integration_key_issue, integration_key_revoke, integration_key_rotate
from .models import ChannelSource, InboundMessage, IntegrationKey


@admin.register(ChannelSource)
class ChannelSourceAdmin(ChangeLoggedAdmin):
    list_display = ["code", "name", "kind", "channel", "acts_as", "default_locality", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["acts_as", "default_topic", "default_locality", "unit"]
    actions = ["issue_key", "rotate_key"]

    @admin.action(description=_("Cấp khóa tích hợp mới (các khóa cũ vẫn dùng được đến khi thu hồi)"))
    def issue_key(self, request, queryset):
        return self._show_keys(request, [(source, self._recorded(request, *integration_key_issue(
            source=source, by=request.user))) for source in queryset])

    @admin.action(description=_("Cấp khóa tích hợp mới và thu hồi mọi khóa cũ"))
    def rotate_key(self, request, queryset):
        return self._show_keys(request, [(source, self._recorded(request, *integration_key_rotate(
            source=source, by=request.user))) for source in queryset])

    def _recorded(self, request, key, secret) -> str:
        """The new key in the change log (its prefix and source, never its secret); the secret to show once."""
        admin_change_record(by=request.user, action=AdminChange.Action.ADD, model=IntegrationKey, object_id=key.pk,
                            object_repr=str(key), before={}, after=admin_values(key))
        return secret

    def _show_keys(self, request, issued):
        """The new keys, on this page only: they are not stored, nor passed through a message or the session."""
        return TemplateResponse(request, "admin/api/integration_keys_issued.html", {
            **self.admin_site.each_context(request), "opts": IntegrationKey._meta,
            "title": _("Khóa tích hợp mới"), "issued": issued,
        })


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(ChangeLoggedAdmin):
    """Which keys exist and whether they still work; never a secret (only its digest is kept)."""

    list_display = ["__str__", "source", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = ["source"]
    list_select_related = ["source", "created_by"]
    fields = ["source", "prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # keys are issued from the channel source's list (an action), so they are shown once

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Thu hồi các khóa đã chọn"))
    def revoke(self, request, queryset):
        revoked = 0
        for key in queryset:
            before = admin_values(key)
            if integration_key_revoke(key=key):
                revoked += 1
                key.refresh_from_db()
                admin_change_record(by=request.user, action=AdminChange.Action.CHANGE, model=IntegrationKey,
                                    object_id=key.pk, object_repr=str(key), before=before, after=admin_values(key))
        self.message_user(request, _("Đã thu hồi %(count)d khóa.") % {"count": revoked})


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what each source brought in and where it went."""

    list_display = ["received_at", "source", "external_id", "action", "reason", "case_code"]
    list_filter = ["source", "action"]
    fields = readonly_fields = ["received_at", "source", "external_id", "thread_id", "action", "reason", "case_code"]
    list_select_related = ["source", "case"]

    @admin.display(description=_("vụ việc"))
    def case_code(self, message):
        return message.case.code if message.case_id else ""  # the code only: administrators read no case

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

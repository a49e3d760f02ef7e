from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .integration_keys import integration_key_issue, integration_key_revoke, integration_key_rotate
from .models import ChannelSource, InboundMessage, IntegrationKey


@admin.register(ChannelSource)
class ChannelSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "channel", "acts_as", "default_locality", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["acts_as", "default_topic", "default_locality"]
    actions = ["issue_key", "rotate_key"]

    @admin.action(description=_("Cấp khóa tích hợp mới (các khóa cũ vẫn dùng được đến khi thu hồi)"))
    def issue_key(self, request, queryset):
        return self._show_keys(request, [(source, integration_key_issue(source=source, by=request.user)[1])
                                         for source in queryset])

    @admin.action(description=_("Cấp khóa tích hợp mới và thu hồi mọi khóa cũ"))
    def rotate_key(self, request, queryset):
        return self._show_keys(request, [(source, integration_key_rotate(source=source, by=request.user)[1])
                                         for source in queryset])

    def _show_keys(self, request, issued):
        """The new keys, on this page only: they are not stored, nor passed through a message or the session."""
        return TemplateResponse(request, "admin/api/integration_keys_issued.html", {
            **self.admin_site.each_context(request), "opts": IntegrationKey._meta,
            "title": _("Khóa tích hợp mới"), "issued": issued,
        })


@admin.register(IntegrationKey)
class IntegrationKeyAdmin(admin.ModelAdmin):
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
        revoked = sum(integration_key_revoke(key=key) for key in queryset)
        self.message_user(request, _("Đã thu hồi %(count)d khóa.") % {"count": revoked})


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what each source brought in and where it went."""

    list_display = ["received_at", "source", "external_id", "action", "case"]
    list_filter = ["source", "action"]
    raw_id_fields = ["case"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

from django.contrib import admin

from .models import ChannelSource, InboundMessage


@admin.register(ChannelSource)
class ChannelSourceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "channel", "acts_as", "default_locality", "is_active"]
    list_filter = ["kind", "is_active"]
    raw_id_fields = ["acts_as", "default_topic", "default_locality"]


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

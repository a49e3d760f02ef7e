"""Admin for reference data (units, topics, channels); cases are read-only here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import Case, CaseEvent, Channel, Topic, Unit


@admin.register(Unit)
class UnitAdmin(TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "code", "tier", "kind", "is_remote", "is_active")
    list_filter = ("tier", "kind", "is_remote", "is_active")
    search_fields = ("name", "code")


@admin.register(Topic)
class TopicAdmin(TreeAdmin):
    form = movenodeform_factory(Topic)
    list_display = ("name", "code", "needs_public_response", "is_active")
    search_fields = ("name", "code")


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active")
    search_fields = ("name", "code")


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("seq", "action", "from_status", "to_status", "actor", "note", "created_at", "hash")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: every change to a case goes through the services."""

    list_display = ("code", "title", "status", "owner", "locality", "priority", "received_at", "deadline")
    list_filter = ("status", "priority", "channel")
    search_fields = ("code", "title")
    inlines = [CaseEventInline]
    list_select_related = ("owner", "locality")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.site_header = _("Hệ thống theo dõi ý kiến, kiến nghị, phản ánh")
admin.site.site_title = _("Quản trị")

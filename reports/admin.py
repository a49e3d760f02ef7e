"""Read-only admin: reports, their versions and alerts, inspections and who looked at them; edited here:
each unit's official-document settings (layout, number, place, recipients, signer).

Inspector notes are left out on purpose: only the inspection pages show them.
"""

from django.contrib import admin

from cases.models import Unit

from web.admin_site import ChangeLoggedAdmin, ReadOnlyAdmin

from .models import (
    AdminChange,
    ExportJob,
    Inspection,
    InspectionAccessLog,
    Report,
    ReportAlert,
    ReportVersion,
    UnitDocumentSettings,
)
from .official import document_settings_defaults


class ReportVersionInline(admin.TabularInline):
    model = ReportVersion
    fields = ("number", "submitted_by", "submitted_at", "reason", "marked_cases")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "kind", "period_start", "period_end", "status", "version", "due_at", "submitted_at")
    list_filter = ("kind", "status")
    search_fields = ("title", "unit__name", "unit__code")
    date_hierarchy = "period_start"
    list_select_related = ("unit",)
    inlines = [ReportVersionInline]


@admin.register(ReportAlert)
class ReportAlertAdmin(ReadOnlyAdmin):
    list_display = ("unit", "kind", "period_start", "action", "to_unit", "due_at", "created_at", "resolved_at")
    list_filter = ("action", "kind")
    list_select_related = ("unit", "to_unit")


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "unit", "period_start", "period_end", "created_by", "created_at")
    list_select_related = ("unit", "created_by")


@admin.register(InspectionAccessLog)
class InspectionAccessLogAdmin(ReadOnlyAdmin):
    list_display = ("when", "user", "what", "inspection")
    list_select_related = ("user", "inspection")
    date_hierarchy = "when"


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin):
    list_display = ("uid", "user", "fmt", "status", "done_rows", "total_rows", "created_at", "finished_at")
    list_filter = ("status", "fmt")
    list_select_related = ("user",)


@admin.register(AdminChange)
class AdminChangeAdmin(ReadOnlyAdmin):
    list_display = ("when", "user", "action", "model", "object_repr")
    list_filter = ("action", "model")
    list_select_related = ("user",)
    date_hierarchy = "when"


@admin.register(UnitDocumentSettings)
class UnitDocumentSettingsAdmin(ChangeLoggedAdmin):
    list_display = ("unit", "layout", "issuing_body", "number_pattern", "next_number", "place", "signer_name")
    list_filter = ("layout",)
    search_fields = ("unit__name", "unit__code", "issuing_body")
    list_select_related = ("unit",)
    autocomplete_fields = ("unit",)

    def get_changeform_initial_data(self, request):
        """A new row starts from what the unit prints today (its derived defaults), when the unit is given."""
        initial = super().get_changeform_initial_data(request)
        unit = Unit.objects.filter(pk=initial.get("unit")).first() if initial.get("unit") else None
        return {**(document_settings_defaults(unit) if unit else {}), **initial}

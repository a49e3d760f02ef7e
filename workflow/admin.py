"""Admin for the calendar table and the clock policies (each change recorded); viewflow's processes and tasks
read-only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from web.admin_site import ChangeLoggedAdmin, ReadOnlyAdmin

from . import services
from .models import CalendarAdjustment, CalendarChange, ClockPolicy, SweepHeartbeat


@admin.register(CalendarAdjustment)
class CalendarAdjustmentAdmin(ChangeLoggedAdmin):
    """Every change goes through the services, so it is recorded and running deadlines follow."""

    list_display = ("date", "kind", "year", "reason", "created_by", "updated_at")
    list_filter = ("year", "kind")
    fields = ("date", "kind", "reason")
    date_hierarchy = "date"

    def apply_save(self, request, obj, form, change):
        if change and "date" in form.changed_data:
            services.calendar_adjustment_remove(day=form.initial["date"], by=request.user, reason=obj.reason)
        saved = services.calendar_adjustment_set(day=obj.date, kind=obj.kind, by=request.user, reason=obj.reason)
        obj.pk = saved.pk

    def apply_delete(self, request, obj):
        services.calendar_adjustment_remove(day=obj.date, by=request.user)


@admin.register(CalendarChange)
class CalendarChangeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "date", "kind", "reason", "changed_by", "applied_at", "clocks_recomputed")
    list_filter = ("action", "kind")


class EventListField(forms.CharField):
    """Event names as comma-separated text in the form, a JSON list in the database."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [name.strip() for name in (value or "").split(",") if name.strip()]


class ClockPolicyForm(forms.ModelForm):
    start_events = EventListField(label=_("Sự kiện bắt đầu"), help_text=_("Cách nhau bằng dấu phẩy, ví dụ: assign, reopen"))
    stop_events = EventListField(label=_("Sự kiện kết thúc"), required=False,
                                 help_text=_("Cách nhau bằng dấu phẩy. Vụ việc kết thúc thì mọi thời hạn dừng."))

    class Meta:
        model = ClockPolicy
        fields = "__all__"


@admin.register(ClockPolicy)
class ClockPolicyAdmin(ChangeLoggedAdmin):
    form = ClockPolicyForm
    list_display = ("name", "clock", "kind", "amount", "unit", "priority", "public_response", "case_kind", "topic",
                    "is_active")
    list_filter = ("kind", "unit", "is_active")
    search_fields = ("name", "clock", "legal_basis")
    fieldsets = (
        (None, {"fields": ("clock", "name", "kind", "legal_basis", "is_active")}),
        (_("Thời hạn"), {"fields": ("unit", "amount", "remote_amount", "complex_amount", "remote_complex_amount")}),
        (_("Bắt đầu, kết thúc"), {"fields": ("start_events", "stop_events", "status")}),
        (_("Áp dụng cho"), {"fields": ("priority", "topic", "case_kind", "public_response")}),
        (_("Nhắc hạn, chuyển cấp trên"), {"fields": ("remind_at_half", "remind_working_days_before", "escalate")}),
    )


@admin.register(SweepHeartbeat)
class SweepHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ("name", "last_success_at", "last_duration_ms", "last_fired")


# Case clocks and escalations are case data (administrators see no case), and viewflow's own pages would let
# an administrator edit or delete a case's process and tasks with no case event: both are shown read-only,
# without the case, or not at all.
admin.site.unregister(Process)
admin.site.unregister(Task)


@admin.register(Process)
class ProcessAdmin(ReadOnlyAdmin):
    list_display = ("pk", "flow_class", "status", "created", "finished")
    list_filter = ("status",)
    fields = ("flow_class", "status", "created", "finished")
    readonly_fields = fields
    date_hierarchy = "created"


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("pk", "process_id", "flow_task", "status", "owner", "created", "finished")
    list_filter = ("status",)
    fields = ("process_id", "flow_task", "status", "owner", "created", "started", "finished")
    readonly_fields = fields
    date_hierarchy = "created"

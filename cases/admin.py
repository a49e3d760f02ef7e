"""Admin for reference data (units, topics, channels), roles and routing; every change recorded.

Cases are not here at all: administrators manage reference data, not cases (docs/permissions.md).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from web.admin_site import ChangeLoggedAdmin, ReadOnlyAdmin

from .models import (
    Channel,
    ReporterRevealRole,
    Role,
    RoleChange,
    RoutingRule,
    Topic,
    Unit,
    UnitChange,
    UnitUserObjectPermission,
)
from .services import unit_merge, unit_rename, unit_role_grant, unit_role_revoke


@admin.register(Unit)
class UnitAdmin(ChangeLoggedAdmin, TreeAdmin):
    form = movenodeform_factory(Unit)
    list_display = ("name", "code", "tier", "kind", "is_remote", "is_active")
    list_filter = ("tier", "kind", "is_remote", "is_active")
    search_fields = ("name", "code")


@admin.register(Topic)
class TopicAdmin(ChangeLoggedAdmin, TreeAdmin):
    form = movenodeform_factory(Topic)
    list_display = ("name", "code", "needs_public_response", "is_active")
    search_fields = ("name", "code")


@admin.register(Channel)
class ChannelAdmin(ChangeLoggedAdmin):
    list_display = ("name", "code", "is_active")
    search_fields = ("name", "code")


@admin.register(UnitUserObjectPermission)
class RoleGrantAdmin(ChangeLoggedAdmin):
    """Roles on units. Granting and withdrawing go through the services, which record them."""

    list_display = ("user", "role_name", "content_object")
    list_filter = ("permission",)
    search_fields = ("user__username", "content_object__name", "content_object__code")
    list_select_related = ("user", "permission", "content_object")

    @admin.display(description=_("vai trò"))
    def role_name(self, obj):
        return obj.permission.name

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _RoleGrantModelForm

    def has_change_permission(self, request, obj=None):
        return False

    def apply_save(self, request, obj, form, change):
        data = form.cleaned_data
        unit_role_grant(user=data["user"], unit=data["unit"], role=data["role"], by=request.user, reason=data["reason"])

    def apply_delete(self, request, obj):
        unit_role_revoke(user=obj.user, unit=obj.content_object, role=obj.permission.codename.removeprefix("role_"),
                         by=request.user, reason=str(_("Thu hồi qua trang quản trị")))

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.select_related("user", "permission", "content_object"))

    def log_addition(self, request, obj, message):
        pass  # the RoleChange row is the record

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:cases_unituserobjectpermission_changelist"))


class _RoleGrantModelForm(forms.ModelForm):
    """The admin add form: user, unit, role and reason, saved by RoleGrantAdmin.save_model."""

    user = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True), label=_("người dùng"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.filter(is_active=True), label=_("đơn vị"))
    role = forms.ChoiceField(choices=Role.choices, label=_("vai trò"))
    reason = forms.CharField(label=_("lý do"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = UnitUserObjectPermission
        fields = []

    def _post_clean(self):
        pass  # no row is built from this form: unit_role_grant checks and writes it


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnlyAdmin):
    """Read-only log of every grant and withdrawal."""

    list_display = ("created_at", "kind", "user", "role", "unit", "changed_by", "reason")
    list_filter = ("kind", "role")
    search_fields = ("user__username", "unit__name")


@admin.register(RoutingRule)
class RoutingRuleAdmin(ChangeLoggedAdmin):
    list_display = ("topic", "locality", "unit", "is_active")
    list_filter = ("is_active",)
    autocomplete_fields = ("topic", "locality", "unit")


@admin.register(UnitChange)
class UnitChangeAdmin(ChangeLoggedAdmin):
    """Renames and merges are recorded, then applied from their effective date."""

    list_display = ("kind", "old_name", "new_name", "successor", "effective_on", "decision_ref", "applied_at")
    fields = ("kind", "unit", "new_name", "successor", "effective_on", "decision_ref")
    autocomplete_fields = ("unit", "successor")

    def has_change_permission(self, request, obj=None):
        return False

    def apply_save(self, request, obj, form, change):
        if obj.kind == UnitChange.Kind.RENAME:
            unit_rename(unit=obj.unit, new_name=obj.new_name, effective_on=obj.effective_on, by=request.user,
                        decision_ref=obj.decision_ref)
        else:
            unit_merge(unit=obj.unit, successor=obj.successor, effective_on=obj.effective_on, by=request.user,
                       decision_ref=obj.decision_ref)

    def log_addition(self, request, obj, message):
        pass  # the UnitChange row is the record

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:cases_unitchange_changelist"))


@admin.register(ReporterRevealRole)
class ReporterRevealRoleAdmin(ChangeLoggedAdmin):
    list_display = ("role",)


admin.site.site_header = _("Hệ thống theo dõi ý kiến, kiến nghị, phản ánh")
admin.site.site_title = _("Quản trị")

"""What every page of the administration site shares: rows shown and never edited, and changes recorded.

The admin site manages reference data and configuration. Each change to what decides who acts and when
goes into `reports.AdminChange` with its values before and after, where inspectors read it on their own
screen; Django's own admin log stays too, but administrators can clear it and inspectors never see it.
"""

from django.contrib import admin

from reports.models import AdminChange
from reports.oversight import admin_change_record, admin_form_values, admin_values


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never edited here: the services are the only writers."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ChangeLoggedAdmin(admin.ModelAdmin):
    """Every add, change and delete made through this page recorded with before and after.

    A page whose writes go through a service overrides `apply_save` / `apply_delete` (never `save_model` /
    `delete_model`, which record), and `values_after` when the row it shows is not the one the service wrote.
    """

    def apply_save(self, request, obj, form, change):
        super().save_model(request, obj, form, change)

    def apply_delete(self, request, obj):
        super().delete_model(request, obj)

    def values_after(self, obj, form) -> dict:
        """The row as stored now; when the service wrote other rows instead, what the form asked for."""
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
        return admin_values(fresh) if fresh is not None else admin_form_values(form.cleaned_data)

    def save_model(self, request, obj, form, change):
        before = admin_values(type(obj)._default_manager.filter(pk=obj.pk).first()) if change and obj.pk else {}
        self.apply_save(request, obj, form, change)
        after = self.values_after(obj, form)
        # A row the service wrote instead of this one has no text of its own: the form's values name it.
        shown = str(obj) if obj.pk is not None else ", ".join(str(value) for value in after.values() if value)
        admin_change_record(
            by=request.user, action=AdminChange.Action.CHANGE if change else AdminChange.Action.ADD,
            model=type(obj), object_id=obj.pk, object_repr=shown, before=before, after=after)

    def save_related(self, request, form, formsets, change):
        # Many-to-many values (a user's groups and permissions) are saved after the row: record them too.
        obj = form.instance
        m2m = [field.name for field in obj._meta.many_to_many]
        before = admin_values(obj) if change and m2m else {}
        super().save_related(request, form, formsets, change)
        if not before:
            return
        after = admin_values(obj)
        admin_change_record(by=request.user, action=AdminChange.Action.CHANGE, model=type(obj), object_id=obj.pk,
                            object_repr=str(obj), before={name: before.get(name) for name in m2m},
                            after={name: after.get(name) for name in m2m})

    def delete_model(self, request, obj):
        before, object_id, shown = admin_values(obj), obj.pk, str(obj)
        self.apply_delete(request, obj)
        admin_change_record(by=request.user, action=AdminChange.Action.DELETE, model=type(obj),
                            object_id=object_id, object_repr=shown, before=before, after={})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

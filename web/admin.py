"""People and groups on the administration site, with every change recorded like the rest of the
configuration (web.admin_site): who became staff or superuser, by whom, and when."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from .admin_site import ChangeLoggedAdmin

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class LoggedUserAdmin(ChangeLoggedAdmin, UserAdmin):
    pass


@admin.register(Group)
class LoggedGroupAdmin(ChangeLoggedAdmin, GroupAdmin):
    pass

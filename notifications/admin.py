from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from web.admin_site import ChangeLoggedAdmin

from .models import Notification, NotificationPreference, OutboxMessage, WebhookEndpoint
from .services import outbox_message_retry


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ChangeLoggedAdmin):
    list_display = ("name", "url", "actions", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    fields = ("name", "url", "actions", "secret", "is_active")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ("uid", "channel", "status", "attempts", "recipient", "endpoint", "next_attempt_at", "sent_at", "created_at")
    list_filter = ("status", "channel")
    search_fields = ("uid",)
    date_hierarchy = "created_at"
    list_select_related = ("recipient", "endpoint")
    actions = ["retry_failed"]
    # Delivery state only: the message's text and payload carry case data, which administrators do not read.
    fields = readonly_fields = ("uid", "channel", "status", "attempts", "recipient", "endpoint", "next_attempt_at",
                                "sent_at", "created_at", "last_error")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Gửi lại các thư gửi lỗi đã chọn"))
    def retry_failed(self, request, queryset):
        count = outbox_message_retry(messages=list(queryset))
        self.message_user(
            request, ngettext("Đã xếp lại %(n)d thư để gửi.", "Đã xếp lại %(n)d thư để gửi.", count) % {"n": count},
            messages.SUCCESS,
        )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "created_at", "delivered_at", "read_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    fields = readonly_fields = ("recipient", "kind", "created_at", "delivered_at", "read_at")  # not the case

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "email_mode", "updated_at")
    list_filter = ("email_mode",)
    autocomplete_fields = ("user",)

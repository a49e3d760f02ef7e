"""The administration site's view of the collaborator network: read-only, writes go through the services.

Collaborators and subjects are shown as the network screens show them to the unit's board. An opinion note and its
history are shown as records (number, unit, subject, locality, attitude, dates, whether the chain holds), never
their text: administrators do not read notes on the screens either, and a note may still hold what the secretariat
will redact. Who filed a note is not shown: the product tracks issues, not people.
"""

import uuid

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from web.admin_site import ReadOnlyAdmin

from .audit import note_chain_verify
from .models import Collaborator, NoteEvent, OpinionNote, Subject


@admin.register(Collaborator)
class CollaboratorAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "unit", "social_group", "status", "term_start", "term_end")
    list_filter = ("status", "social_group")
    search_fields = ("full_name", "unit__name", "unit__code")
    list_select_related = ("unit",)
    fields = ("full_name", "unit", "localities", "sectors", "social_group", "organisation", "decision_number",
              "term_start", "term_end", "status", "login")
    readonly_fields = fields

    @admin.display(description=_("tài khoản"))
    def login(self, obj):
        return obj.user.get_username() if obj.user_id else "—"


@admin.register(Subject)
class SubjectAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "kind", "status", "opened_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "unit__name", "unit__code")
    list_select_related = ("unit",)
    fields = readonly_fields = ("title", "unit", "kind", "topic", "status", "description", "opened_at")


@admin.register(OpinionNote)
class OpinionNoteAdmin(ReadOnlyAdmin):
    list_display = ("code", "unit", "subject", "locality", "attitude", "filed_at", "made_a_case")
    list_filter = ("attitude",)
    search_fields = ("code",)  # and the device's key (support: "did my note arrive?")
    date_hierarchy = "filed_at"
    list_select_related = ("unit", "subject", "locality")
    # Not the summary, the recommendation, the groups, nor who filed it.
    fields = readonly_fields = ("code", "idempotency_key", "unit", "subject", "locality", "attitude", "spread",
                                "intensity", "channel", "observed_on", "filed_at", "made_a_case", "chain")

    def get_search_results(self, request, queryset, search_term):
        found, duplicates = super().get_search_results(request, queryset, search_term)
        try:
            key = uuid.UUID(search_term.strip())
        except ValueError:  # not a key: the search by number alone
            return found, duplicates
        return found | queryset.filter(idempotency_key=key), duplicates

    @admin.display(description=_("đã chuyển thành vụ việc"), boolean=True)
    def made_a_case(self, obj):
        return obj.case_id is not None

    @admin.display(description=_("chuỗi lịch sử"))
    def chain(self, obj):
        check = note_chain_verify(obj)
        return _("Chuỗi lịch sử toàn vẹn") if check.ok else f"{_('Chuỗi lịch sử bị sai lệch')}: {check.problem}"


@admin.register(NoteEvent)
class NoteEventAdmin(ReadOnlyAdmin):
    list_display = ("note", "seq", "action", "at")
    list_filter = ("action",)
    search_fields = ("note__code",)
    list_select_related = ("note",)
    # The links of the chain; not the event's data (digests, a redaction's reason) nor its actor.
    fields = readonly_fields = ("note", "seq", "action", "at", "prev_hash", "hash")

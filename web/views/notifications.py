"""The notifications page and the bell's panel: notifications grouped by kind, unit and day, mark read,
and which kinds a person wants to hear about.

Reads go through notifications.selectors (the person's own, minus the kinds they turned off), writes
through notifications.services. Every write is a POST (CSRF-protected) that redirects back.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from notifications.models import EmailMode
from notifications.selectors import (
    notification_group_members,
    notification_groups_for_user,
    notification_unread_count,
    preference_get,
    preference_muted_kinds,
)
from notifications.services import notification_group_mark_read, notification_mark_all_read, preference_set
from notifications.texts import notification_group_text, notification_kind_choices

BELL_GROUPS = 8  # rows in the bell's panel; the page shows more
PAGE_GROUPS = 100


class GroupKeyForm(forms.Form):
    """Names one group of the bell: its kind, the unit its messages name, the local day."""

    kind = forms.CharField(max_length=32)
    unit = forms.CharField(max_length=300, required=False)
    day = forms.DateField(input_formats=["%Y-%m-%d"])


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(label=gettext_lazy("Cách nhận thư"), choices=EmailMode.choices,
                                  widget=forms.RadioSelect)
    # Ticked kinds are shown; the others are turned off (no row in the bell, no email).
    shown_kinds = forms.MultipleChoiceField(label=gettext_lazy("Nhận thông báo về"), required=False,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shown_kinds"].choices = notification_kind_choices()


def _rows(groups) -> list[tuple]:
    return [(group, group.opens) for group in groups]


@login_required
@require_GET
def bell_panel(request):
    """The bell's panel (loaded when it opens): the newest groups, mark all read, a link to the page."""
    groups = notification_groups_for_user(user=request.user, limit=BELL_GROUPS)
    return render(request, "web/notifications/_bell_panel.html", {
        "rows": _rows(groups), "unread": notification_unread_count(user=request.user),
    })


@login_required
@require_GET
def notification_inbox(request):
    user = request.user
    kinds = [code for code, _label in notification_kind_choices()]
    muted = set(preference_muted_kinds(user=user))
    form = PreferenceForm(initial={
        "email_mode": preference_get(user=user), "shown_kinds": [kind for kind in kinds if kind not in muted],
    })
    return render(request, "web/notifications/inbox.html", {
        "rows": _rows(notification_groups_for_user(user=user, limit=PAGE_GROUPS)),
        "unread": notification_unread_count(user=user), "form": form,
    })


@login_required
@require_GET
def notification_group(request):
    """One group opened: the cases it is about, each a link to its case."""
    key = GroupKeyForm(request.GET)
    if not key.is_valid():
        raise Http404
    members = list(notification_group_members(user=request.user, **key.cleaned_data))
    if not members:
        raise Http404
    key = key.cleaned_data
    return render(request, "web/notifications/group.html", {
        "members": members, "key": {**key, "day": key["day"].isoformat()},
        "heading": notification_group_text(key["kind"], key["unit"], len(members)),
    })


@login_required
@require_POST
def notification_read(request):
    """Mark read: one group when the form names it, else everything; then back where the person was."""
    key = GroupKeyForm(request.POST)
    if request.POST.get("kind"):
        if not key.is_valid():
            raise Http404
        notification_group_mark_read(user=request.user, **key.cleaned_data)
    else:
        marked = notification_mark_all_read(user=request.user)
        messages.success(request, _("Đã đánh dấu %(count)s thông báo là đã đọc.") % {"count": marked})
    return redirect(_back(request))


@login_required
@require_POST
def notification_preferences(request):
    form = PreferenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Không lưu được cách nhận thông báo."))
        return redirect("web:notifications")
    shown = set(form.cleaned_data["shown_kinds"])
    muted = [code for code, _label in notification_kind_choices() if code not in shown]
    preference_set(user=request.user, email_mode=form.cleaned_data["email_mode"], muted_kinds=muted)
    messages.success(request, _("Đã lưu cách nhận thông báo."))
    return redirect("web:notifications")


def _back(request) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("web:notifications")

"""The development mailbox page: the email the embedded default kept instead of sending (notifications.dev_mailbox).

Staff only, and only while that mailbox is the email backend; for anyone else, or with real email
configured, the pages do not exist (404).
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from notifications.dev_mailbox import dev_mailbox_active, dev_mailbox_get, dev_mailbox_list


def _staff_with_dev_mailbox(request) -> None:
    if not (request.user.is_authenticated and request.user.is_staff and dev_mailbox_active()):
        raise Http404


@require_GET
def mailbox(request):
    _staff_with_dev_mailbox(request)
    return render(request, "web/dev_mailbox.html", {"messages_kept": dev_mailbox_list()})


@require_GET
def mailbox_message(request, name: str):
    _staff_with_dev_mailbox(request)
    message = dev_mailbox_get(name=name)
    if message is None:
        raise Http404
    return render(request, "web/dev_mailbox.html", {"message": message})

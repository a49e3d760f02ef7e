"""People's API tokens (django-rest-knox keeps them, as digests, with their expiry) and their revocation.

A token is revoked with everything that should end a person's access: a password change, a role
withdrawn (or a role granted that needs the second factor), "sign out everywhere".
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from knox.models import get_token_model


def person_tokens_revoke(*, user) -> int:
    """Every API token of this person stops working; returns how many there were."""
    deleted, _ = get_token_model().objects.filter(user=user).delete()
    return deleted


def person_token_revoke(*, token) -> None:
    """This one token stops working (its holder logs out)."""
    token.delete()


def person_tokens_make_room(*, user) -> int:
    """Before a new token: drop the person's expired ones, and the oldest beyond DLXH_API_TOKENS_PER_PERSON - 1.

    knox reads all of a person's tokens at every request, so their number stays small.
    """
    tokens = get_token_model().objects.filter(user=user)
    deleted, _ = tokens.filter(expiry__lt=timezone.now()).delete()
    keep = list(tokens.order_by("-created").values_list("pk", flat=True)[: settings.DLXH_API_TOKENS_PER_PERSON - 1])
    more, _ = tokens.exclude(pk__in=keep).delete()
    return deleted + more


def person_sessions_end(*, user) -> int:
    """End every web session of this person (database-backed sessions; a cookie or cache store cannot be listed)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return 0
    ended = 0
    rows = store.get_model_class().objects.filter(expire_date__gt=timezone.now()).values_list("session_key", "session_data")
    for key, data in rows.iterator():  # a rare action: decoding the live sessions is cheap enough
        if store().decode(data).get(SESSION_KEY) == str(user.pk):
            store(session_key=key).delete()
            ended += 1
    return ended


def person_sign_out_everywhere(*, user) -> tuple[int, int]:
    """Revoke every API token and end every web session of this person: (tokens, sessions)."""
    return person_tokens_revoke(user=user), person_sessions_end(user=user)

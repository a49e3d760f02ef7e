"""`Authorization: Token <token>`: django-rest-knox's check, without reading the person's other tokens.

knox, at every request, reads every token of the person to delete the expired
ones among them (one more statement per API request). Here only the presented
token is read: an expired one is still refused and deleted, as knox does. The
person's other expired tokens are deleted when they next obtain a token
(`security.tokens.person_tokens_make_room`), and an expired token is refused
whenever it is presented, so nothing an expired token could do changes.
"""

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The same security scheme in the OpenAPI schema as knox's own class has."""

    target_class = "api.authentication.TokenAuthentication"

"""The client's address for login throttling."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address the trusted proxies saw when DLXH_PROXY_COUNT proxies sit in front.

    X-Forwarded-For is written by the client too: only the last N entries,
    added by our own proxies, are believed.
    """
    hops = settings.DLXH_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR") or None  # None: no address (e.g. a login made in code)

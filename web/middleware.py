"""Vietnamese first on the screens, whatever language the browser prefers."""

from django.conf import settings


class VietnameseFirstMiddleware:
    """Drop the browser's Accept-Language on screen pages so LocaleMiddleware falls back to LANGUAGE_CODE (vi).

    Many clerks run English-language browsers; they should still get the
    Vietnamese screens until they pick English with the language switch
    (a cookie, which LocaleMiddleware reads first). The API keeps honouring
    Accept-Language for its integrators. Must sit before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/") and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

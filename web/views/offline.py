"""The installable app's two files (docs/offline.md): the manifest, and the service worker served from the root
so that its scope covers every page (a worker under /static/ could only control /static/)."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET


@require_GET
@cache_control(max_age=0, no_cache=True)
def service_worker(request):
    path = finders.find("web/sw.js")
    if path is None:
        raise Http404
    response = FileResponse(open(path, "rb"), content_type="application/javascript")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request):
    return JsonResponse({
        "name": _("DLXH — Phiếu thông tin dư luận"),
        "short_name": "DLXH",
        "start_url": reverse("collaborators:my_notes"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f3a5f",
        "lang": "vi",
        "icons": [{"src": static("web/icon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})

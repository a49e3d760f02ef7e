"""GeoReport v2's two formats and its error shape, chosen by the path's extension (`services.xml`).

The XML is the spec's: no namespace, a declaration naming UTF-8, the root and
item elements of each resource (`<services><service>…`), `true`/`false` for
booleans and an empty element for a missing value. The JSON is its Spark
mapping: the same data, a bare array where the XML repeats an item.
"""

from xml.etree import ElementTree

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework.renderers import BaseRenderer, JSONRenderer

# The element each list's items take, by the list's own element name.
ITEM_ELEMENT = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
FORMATS = ("json", "xml")


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _append(element, ITEM_ELEMENT.get(name, "item"), item)
    else:
        element.text = _text(value)


def georeport_xml(root: str, data) -> bytes:
    """`data` (a list of items or one object) as the spec's XML under `root`."""
    element = ElementTree.Element(root)
    if isinstance(data, dict):
        for key, value in data.items():
            _append(element, key, value)
    else:
        for item in data:
            _append(element, ITEM_ELEMENT[root], item)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="unicode").encode()


class GeoReportJSONRenderer(JSONRenderer):
    charset = "utf-8"  # the spec's `application/json; charset=utf-8`


class GeoReportXMLRenderer(BaseRenderer):
    """The root element is the view's `xml_root`, or `errors` for any error answer."""

    media_type = "text/xml"
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        response = context.get("response")
        if response is not None and response.status_code >= 400:
            root = "errors"
        else:
            root = getattr(context.get("view"), "xml_root", "service_requests")
        return georeport_xml(root, data)


def georeport_errors(http_status: int, description: str) -> list[dict]:
    return [{"code": http_status, "description": str(description)}]


def format_of(path: str) -> str:
    """The format a path asks for by its extension; XML (the spec's required one) otherwise."""
    return "json" if path.rstrip("/").endswith(".json") else "xml"


def georeport_error_response(path: str, http_status: int, description: str) -> HttpResponse:
    """GeoReport's error list, in the format the path's extension names (for answers made outside DRF)."""
    errors = georeport_errors(http_status, description)
    if format_of(path) == "json":
        return HttpResponse(GeoReportJSONRenderer().render(errors), status=http_status,
                            content_type="application/json; charset=utf-8")
    return HttpResponse(georeport_xml("errors", errors), status=http_status, content_type="text/xml; charset=utf-8")


@csrf_exempt
def georeport_not_found(request, *args, **kwargs):
    """Any other path under the facade: GeoReport's 404."""
    return georeport_error_response(request.path, 404, _("Không có tài nguyên GeoReport này."))

"""Reads of the API app's own data."""

from django.db.models import QuerySet

from .models import ChannelSource


def channel_sources_active(*, kind: str, code: str | None = None) -> QuerySet[ChannelSource]:
    sources = ChannelSource.objects.filter(kind=kind, is_active=True).select_related(
        "channel", "acts_as", "default_topic", "default_locality"
    )
    return sources.filter(code=code) if code else sources.order_by("code")

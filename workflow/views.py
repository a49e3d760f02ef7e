"""The health check of the clock sweep (the product's screens come with the UI issue)."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.db_routing import replica_configured, replica_lag_seconds

from .selectors import sweep_health


@never_cache
@require_GET
def health(request):
    """JSON for monitors: 200 "ok", or 503 "late" when the sweep has not run for three intervals."""
    report = sweep_health()
    body = {
        "status": report.status,
        "last_sweep_at": report.last_sweep_at.isoformat() if report.last_sweep_at else None,
        "age_seconds": report.age_seconds,
        "interval_seconds": report.interval_seconds,
        "demo_clock_scale": report.demo_clock_scale,
    }
    if replica_configured():  # a lagging replica is reported, not a reason to take this node out of service
        body["replica_lag_seconds"] = replica_lag_seconds()
    return JsonResponse(body, status=200 if report.ok else 503)

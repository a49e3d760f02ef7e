"""What every screen shares now lives in web.ui, the one module the reports' screens import too;
the web views keep importing it from here."""

from ..ui import (
    CappedPaginator,
    capped_count,
    forbidden,
    not_found,
    period_bounds,
    refused,
    selector_filters,
)

__all__ = ["CappedPaginator", "capped_count", "forbidden", "not_found", "period_bounds", "refused", "selector_filters"]

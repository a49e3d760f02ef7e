from config.db_routing import figures_as_of


def figures_time(request):
    """`figures_as_of`: when the figures on a report or dashboard page were true (called only where shown)."""
    return {"figures_as_of": figures_as_of}

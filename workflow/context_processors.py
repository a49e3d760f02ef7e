"""Template values about time that every screen may show."""

from .deadlines import demo_scale


def clock_settings(request):
    """`demo_clock_scale` > 1 means deadlines run faster than real time (a demo); screens must say so."""
    scale = demo_scale()
    return {"demo_clock_scale": scale, "demo_clocks": scale != 1}

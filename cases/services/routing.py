"""Routing rules: which unit a case is proposed to."""

from ..models import Case, RoutingRule, Topic, Unit


def routing_propose_unit(*, case: Case) -> Unit | None:
    """The unit the routing rules propose for this case's topic and locality.

    The deepest locality wins, then the deepest topic; None when no rule applies.
    """
    locality_path = Unit.objects.values_list("path", flat=True).get(pk=case.locality_id)
    topic_path = Topic.objects.values_list("path", flat=True).get(pk=case.topic_id)
    locality_paths = _ancestor_paths(locality_path, Unit.steplen)
    topic_paths = _ancestor_paths(topic_path, Topic.steplen)
    rules = RoutingRule.objects.filter(
        is_active=True, unit__is_active=True, locality__path__in=locality_paths, topic__path__in=topic_paths
    ).select_related("unit", "locality", "topic")
    best = max(rules, key=lambda rule: (len(rule.locality.path), len(rule.topic.path)), default=None)
    return best.unit if best else None


def _ancestor_paths(path: str, steplen: int) -> list[str]:
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]

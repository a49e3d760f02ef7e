"""Reference data: units and topics, created or updated by their code."""

from ..models import Topic, Unit


def unit_upsert(*, code: str, name: str, tier: str, kind: str, parent: Unit | None, is_remote: bool = False) -> tuple[Unit, bool]:
    """Create or update a unit by code, moving it under `parent` if that changed.

    Returns (unit, changed) so imports can report what they did.
    """
    unit = Unit.objects.filter(code=code).first()
    fields = {"name": name, "tier": tier, "kind": kind, "is_remote": is_remote}
    if unit is None:
        if parent is None:
            return Unit.objects.add_root({"code": code, **fields}), True
        parent = Unit.objects.get(pk=parent.pk)  # fresh child count for treebeard
        return Unit.objects.add_child(parent, {"code": code, **fields}), True
    changed = False
    current_parent = Unit.objects.get_parent(unit)
    if (current_parent.pk if current_parent else None) != (parent.pk if parent else None):
        if parent is None:
            Unit.objects.move(unit, Unit.objects.get_first_root_node(), pos="last-sibling")
        else:
            Unit.objects.move(unit, Unit.objects.get(pk=parent.pk), pos="last-child")
        unit = Unit.objects.get(pk=unit.pk)
        changed = True
    if any(getattr(unit, key) != value for key, value in fields.items()):
        for key, value in fields.items():
            setattr(unit, key, value)
        unit.save(update_fields=list(fields))
        changed = True
    return unit, changed


def topic_upsert(*, code: str, name: str, parent: Topic | None = None, needs_public_response: bool = True) -> Topic:
    topic = Topic.objects.filter(code=code).first()
    if topic is None:
        fields = {"code": code, "name": name, "needs_public_response": needs_public_response}
        if parent is None:
            return Topic.objects.add_root(fields)
        return Topic.objects.add_child(Topic.objects.get(pk=parent.pk), fields)
    if (topic.name, topic.needs_public_response) != (name, needs_public_response):
        topic.name, topic.needs_public_response = name, needs_public_response
        topic.save(update_fields=["name", "needs_public_response"])
    return topic

"""The tree's tables, append-only like the events they anchor (on PostgreSQL a trigger refuses UPDATE and DELETE).

Only the checkpoint job writes them, one at a time (`ledger.services.ledger_checkpoint`).
"""

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .signing import SignedCheckpoint


class LedgerLeaf(models.Model):
    """One case event, at its place in the tree: the order in which the checkpoint job took it in."""

    index = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField("cases.CaseEvent", on_delete=models.PROTECT, related_name="ledger_leaf")
    # SHA-256(0x00 || the event's canonical JSON with its chain hash), as it was when it was taken in.
    hash = models.BinaryField(max_length=32)

    class Meta:
        verbose_name = _("lá của cây lịch sử")

    def __str__(self):
        return f"leaf {self.index} (event {self.event_id})"


class LedgerNode(models.Model):
    """The root of a perfect subtree: leaves [index·2^level, (index+1)·2^level). Kept so that a checkpoint,
    an audit path or a consistency proof reads a few nodes instead of every leaf."""

    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "index"], name="ledgernode_position")]

    def __str__(self):
        return f"node {self.level}/{self.index}"


class Checkpoint(models.Model):
    """A signed statement: the first `tree_size` events hash to `root_hash`. Also written to a file and mailed."""

    tree_size = models.BigIntegerField(_("số sự kiện"))
    root_hash = models.CharField(max_length=64)
    signed_at = models.CharField(max_length=40)  # UTC ISO text, exactly as signed
    key_id = models.CharField(_("mã khóa ký"), max_length=16)
    public_key = models.CharField(max_length=64)
    signature = models.CharField(max_length=100)
    # When the job began taking events in, and the highest event id the tree held then (an id drawn before that
    # time): later jobs look for events not yet taken in above it, once it is old enough (ledger.tree.SETTLE).
    taken_at = models.DateTimeField(db_index=True)
    max_event_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("điểm neo lịch sử")
        verbose_name_plural = _("điểm neo lịch sử")
        ordering = ["-pk"]

    def __str__(self):
        return f"#{self.pk}: {self.tree_size} events, {self.root_hash[:12]}…"

    @property
    def signed_moment(self):
        return parse_datetime(self.signed_at)

    def signed(self) -> SignedCheckpoint:
        return SignedCheckpoint(tree_size=self.tree_size, root_hash=self.root_hash, signed_at=self.signed_at,
                                key_id=self.key_id, public_key=self.public_key, signature=self.signature)

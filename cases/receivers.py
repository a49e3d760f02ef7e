"""A person's account switched off, by any path (the admin, a command, the shell): their work moves on.
A channel or topic changed: every process reads them again (`selectors.reference_by_code`)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from treebeard.mp_tree import nodes_deleted, path_updated

from config.shared_configuration import configuration_changed

from .models import Channel, Topic
from .services import work_after_person_deactivated

User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="cases.person_deactivating")
def _note_deactivation(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    instance._deactivated = User.objects.filter(pk=instance.pk, is_active=True).exists()


@receiver(post_save, sender=User, dispatch_uid="cases.person_deactivated")
def _move_work_of_deactivated(sender, instance, **kwargs):
    # In the save's own transaction (the admin's is atomic): the account and its work change together.
    if instance.__dict__.pop("_deactivated", False):
        work_after_person_deactivated(user=instance)


@receiver([post_save, post_delete], sender=Channel, dispatch_uid="cases.channels_changed")
@receiver([post_save, post_delete, path_updated, nodes_deleted], sender=Topic, dispatch_uid="cases.topics_changed")
def _reference_changed(sender, **kwargs):
    # Now, for this transaction's own reads, and again after commit, so that no process keeps a copy read from
    # the data before the change committed.
    configuration_changed()
    transaction.on_commit(configuration_changed)

"""People's API tokens end with the access they were issued under: a password change or a role change."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from cases.signals import unit_role_changed

from .tokens import person_tokens_revoke
from .two_factor import TWO_FACTOR_ROLES

User = get_user_model()


@receiver(pre_save, sender=User, dispatch_uid="security.password_changing")
def _note_password_change(sender, instance, raw=False, update_fields=None, **kwargs):
    """Any path that saves a new password hash (the web form, the admin, `set_password`, a command)."""
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._password_changed = stored is not None and stored != instance.password


@receiver(post_save, sender=User, dispatch_uid="security.password_changed")
def _revoke_tokens_after_password_change(sender, instance, **kwargs):
    if instance.__dict__.pop("_password_changed", False):
        person_tokens_revoke(user=instance)


@receiver(unit_role_changed, dispatch_uid="security.role_changed")
def _revoke_tokens_after_role_change(sender, user, role, granted, **kwargs):
    # A withdrawn role must not live on in a token; a granted one that needs the second factor must
    # not ride on a token that was issued without it.
    if not granted or role in TWO_FACTOR_ROLES:
        person_tokens_revoke(user=user)

"""`Idempotency-Key`: a retried request gets the first response, never a second case or event.

The key row is inserted first, inside the transaction that does the work. A
duplicate that arrives while the first is still running blocks on the unique
(user, key) index until the first commits, then finds its row and replays the
stored response. If the work fails, the key row rolls back with it, so the
client may simply retry.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response

from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_TTL = timedelta(hours=24)
KEY_MAX_LENGTH = 255
# 1 to 255 visible ASCII characters, spaces only inside: what an HTTP header carries unchanged (a server strips
# spaces around a value, and bytes past ASCII arrive differently through different servers). The schema says
# the same (api.views.IDEMPOTENCY_PARAMETER).
KEY_PATTERN = r"^[!-~](?:[ -~]{0,%d}[!-~])?$" % (KEY_MAX_LENGTH - 2)
_KEY = re.compile(KEY_PATTERN)


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = _("Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác. Hãy dùng khóa mới.")


class IdempotencyKeyInProgress(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "idempotency_key_in_progress"
    default_detail = _("Yêu cầu với khóa Idempotency-Key này đang được xử lý. Hãy thử lại sau giây lát.")


@dataclass
class Claim:
    row: IdempotencyKey
    is_new: bool


def idempotency_key_claim(*, user, key: str, endpoint: str, request_hash: str) -> Claim:
    """Insert the key row, or find the one a previous request left.

    Call inside the transaction that does the guarded work.
    """
    now = timezone.now()
    # An expired key is forgotten, so the client may use it again.
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=now - KEY_TTL).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user, key=key, endpoint=endpoint, request_hash=request_hash, created_at=now
            )
        return Claim(row=row, is_new=True)
    except IntegrityError:
        # Another request holds this key; the insert waited for it to commit.
        return Claim(row=IdempotencyKey.objects.get(user=user, key=key), is_new=False)


def idempotency_key_complete(*, row: IdempotencyKey, response_status: int, response_body) -> None:
    row.response_status = response_status
    row.response_body = response_body
    row.save(update_fields=["response_status", "response_body"])


def idempotency_keys_purge(*, older_than: timedelta = KEY_TTL) -> int:
    """Delete keys older than `older_than` (24 h by default); returns how many."""
    deleted, _details = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than).delete()
    return deleted


def request_fingerprint(request) -> tuple[str, str]:
    """(endpoint, body hash) of a DRF request."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder)
    return f"{request.method} {request.path}"[:255], hashlib.sha256(body.encode()).hexdigest()


def idempotent(request, run) -> Response:
    """Run `run()` (which returns a success Response or raises) at most once per key."""
    key = request.headers.get(HEADER)
    if key is None:
        return run()
    if not _KEY.fullmatch(key):
        raise ValidationError({HEADER: [_("Khóa Idempotency-Key phải dài từ 1 đến 255 ký tự ASCII in được "
                                          "(không có khoảng trắng ở hai đầu).")]})
    endpoint, request_hash = request_fingerprint(request)
    with transaction.atomic():
        claim = idempotency_key_claim(user=request.user, key=key, endpoint=endpoint, request_hash=request_hash)
        if not claim.is_new:
            return _replay(claim.row, endpoint=endpoint, request_hash=request_hash)
        response = run()
        idempotency_key_complete(row=claim.row, response_status=response.status_code, response_body=response.data)
    return response


def _replay(row: IdempotencyKey, *, endpoint: str, request_hash: str) -> Response:
    if row.endpoint != endpoint or row.request_hash != request_hash:
        raise IdempotencyKeyReused()
    if row.response_status is None:
        raise IdempotencyKeyInProgress()
    return Response(row.response_body, status=row.response_status, headers={REPLAYED_HEADER: "true"})

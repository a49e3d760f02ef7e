"""The secretariat redacts a note: the text changes, the chain stays valid and records who, why and the digests
(never the text); an edit outside a redaction is caught."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from collaborators.audit import note_chain_verify, text_digest
from collaborators.models import NoteAction, OpinionNote

pytestmark = pytest.mark.django_db


def test_redaction_keeps_the_chain_valid_and_records_who_redacted_what(demo_user, text):
    note = OpinionNote.objects.filter(unit__code="DM-ANBINH").order_by("pk").first()
    old_digest = text_digest(note)
    # A leader may read the note but only the secretariat redacts.
    assert demo_user("leader").post(reverse("collaborators:note_redact", args=[note.code]), {
        "summary": "x", "reason": "y"}).status_code == 403
    response = demo_user("secretariat").post(reverse("collaborators:note_redact", args=[note.code]), {
        "summary": "Nhiều hộ lo việc đổi giấy tờ khi sáp nhập thôn.", "recommendation": "",
        "reason": "Bỏ chi tiết có thể nhận ra một hộ cụ thể."})
    assert response.status_code == 302
    note.refresh_from_db()
    event = note.events.get(action=NoteAction.REDACTED)
    assert event.actor.username == "secretariat"
    assert event.data["old_digest"] == old_digest and event.data["new_digest"] == text_digest(note)
    assert event.data["reason"] == "Bỏ chi tiết có thể nhận ra một hộ cụ thể." and event.data["fields"] == ["summary"]
    assert "Nhiều hộ lo" not in str(event.data)  # digests, never the text
    assert note_chain_verify(note).ok
    page = text(demo_user("secretariat").get(reverse("collaborators:note", args=[note.code])))
    assert "Chuỗi lịch sử toàn vẹn" in page and "Biên tập, che thông tin" in page

    call_command("verify_notes", verbosity=0)  # every note of the demo and this one hold

    # Changing the text without a redaction breaks the check, and the command names the note.
    OpinionNote.objects.filter(pk=note.pk).update(summary="Sửa lén nội dung.")
    note.refresh_from_db()
    check = note_chain_verify(note)
    assert not check.ok and "text differs" in check.problem
    with pytest.raises(CommandError, match=note.code):
        call_command("verify_notes", verbosity=0)


def test_a_redaction_may_not_bring_a_resident_in(demo_user):
    note = OpinionNote.objects.filter(unit__code="DM-ANBINH").first()
    response = demo_user("secretariat").post(reverse("collaborators:note_redact", args=[note.code]), {
        "summary": "Gọi 0912345678", "reason": "thử"})
    assert response.status_code == 400 and "số điện thoại" in response.content.decode()
    assert not note.events.filter(action=NoteAction.REDACTED).exists()

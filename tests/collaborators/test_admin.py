"""The administration site shows the collaborator network read-only: collaborators, subjects, notes and their
history, never a note's text nor who filed it; nothing is written there (the services are the only writers)."""

import pytest
from django.contrib.auth import get_user_model

from collaborators.models import Collaborator, NoteEvent, OpinionNote, Subject


@pytest.fixture
def root(demo, client):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-for-tests-1"))
    return client


def test_the_network_notes_and_their_history_are_shown_read_only_without_the_notes_text(root):
    note = OpinionNote.objects.filter(unit__code="DM-ANBINH").select_related("collaborator").first()
    collaborator, subject, event = note.collaborator, note.subject, note.events.first()
    pages = {
        "collaborator": f"/admin/collaborators/collaborator/{collaborator.pk}/change/",
        "subject": f"/admin/collaborators/subject/{subject.pk}/change/",
        "note": f"/admin/collaborators/opinionnote/{note.pk}/change/",
        "event": f"/admin/collaborators/noteevent/{event.pk}/change/",
    }
    for name in ("collaborator", "subject", "opinionnote", "noteevent"):
        assert root.get(f"/admin/collaborators/{name}/").status_code == 200, name
    shown = {name: root.get(url).content.decode() for name, url in pages.items()}
    assert collaborator.full_name in shown["collaborator"] and (
        f'<div class="readonly">{collaborator.user.username}</div>' in shown["collaborator"])
    assert subject.title in shown["subject"]
    assert note.code in shown["note"] and "Chuỗi lịch sử toàn vẹn" in shown["note"]
    assert event.hash in shown["event"]
    for page in (shown["note"], shown["event"], root.get("/admin/collaborators/opinionnote/").content.decode()):
        assert note.summary not in page and collaborator.full_name not in page
    # The device's key finds its note (support: "did my note arrive?").
    found = root.get("/admin/collaborators/opinionnote/", {"q": str(note.idempotency_key)})
    assert list(found.context["cl"].result_list) == [note]

    # Nothing is written here: no add, no change, no delete.
    assert root.get("/admin/collaborators/collaborator/add/").status_code == 403
    assert root.post(pages["subject"], {"title": "Đổi tên", "status": "closed"}).status_code == 403
    assert root.post(pages["collaborator"].replace("change", "delete"), {"post": "yes"}).status_code == 403
    root.post("/admin/collaborators/opinionnote/", {"action": "delete_selected", "_selected_action": [note.pk],
                                                     "post": "yes"})
    assert OpinionNote.objects.filter(pk=note.pk).exists() and NoteEvent.objects.filter(pk=event.pk).exists()
    assert Subject.objects.get(pk=subject.pk).title == subject.title
    assert Collaborator.objects.filter(pk=collaborator.pk).exists()

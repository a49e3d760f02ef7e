"""A case's description is at most 10,000 characters on every interface; a longer one is refused
with a clear error and nothing written (the webhook: tests/api/test_webhook.py; a longer email is
cut with a note and kept whole instead: tests/api/test_email_imap.py)."""

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case
from cases.services import case_intake
from cases.validation import DESCRIPTION_MAX_CHARS

pytestmark = pytest.mark.django_db

TOO_LONG = "Nội dung quá dài (tối đa 10000 ký tự)."
LONGEST = "Nước đục. " * (DESCRIPTION_MAX_CHARS // 10)


def test_the_service_refuses_a_longer_description_whatever_calls_it(world):
    assert len(LONGEST) == DESCRIPTION_MAX_CHARS
    with pytest.raises(ValidationError) as refused:
        case_intake(by=world.clerk, title="Nước đục", description=LONGEST + "x", channel=world.channel,
                    topic=world.topic, locality=world.hamlet_a)
    assert refused.value.message_dict == {"description": [TOO_LONG]}
    assert case_intake(by=world.clerk, title="Nước đục", description=LONGEST, channel=world.channel,
                       topic=world.topic, locality=world.hamlet_a).description == LONGEST


def test_the_api_answers_400_on_the_description_and_writes_nothing(api, intake_body):
    response = api("clerk").post("/api/v1/cases/", intake_body(description=LONGEST + "x"), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"description": [TOO_LONG]}
    assert not Case.objects.exists()
    assert api("clerk").post("/api/v1/cases/", intake_body(description=LONGEST), format="json").status_code == 201


def test_the_intake_screen_counts_and_refuses_with_nothing_written(world, as_user):
    client = as_user("clerk")
    page = client.get("/cases/new/").content.decode()
    assert 'data-max-chars="10000"' in page and "Tối đa 10000 ký tự." in page
    assert "maxlength" not in page.split('name="description"')[1].split(">")[0]  # a browser would cut silently

    form = {"title": "Cống bị tắc", "channel": world.channel.code, "topic": world.topic.code,
            "locality": world.hamlet_a.code, "priority": "normal", "anonymous": "on"}
    refused = client.post("/cases/new/", {**form, "description": LONGEST + "x"})
    assert refused.status_code == 400 and TOO_LONG in refused.content.decode()
    assert not Case.objects.exists()

    # Line breaks arrive as CRLF; each counts as one character, as the page's counter counts them.
    lines = "Nước đục.\r\n" * 1000  # 11,000 characters sent, 10,000 typed
    assert client.post("/cases/new/", {**form, "description": lines}).status_code == 302
    assert Case.objects.get().description == ("Nước đục.\n" * 1000).strip()

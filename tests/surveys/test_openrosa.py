"""OpenRosa for ODK Collect and Enketo: the form list (the Form List API's document), the XForm that pyxform
makes of our XLSForm, and submissions (multipart with `xml_submission_file`, the Form Submission API's MIME
envelope) stored as answers by the form's rules, a repeated instanceID stored once."""

import base64
import hashlib
import re
import uuid
from datetime import datetime, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from surveys.models import SurveyAnswer
from surveys.openrosa import instance_parse
from surveys.services import assignment_add, plan_approve, plan_close, questionnaire_draft, questionnaire_freeze

from .conftest import CONTENT

pytestmark = pytest.mark.django_db

LIST_NS = "{http://openrosa.org/xforms/xformsList}"
XF = "{http://www.w3.org/2002/xforms}"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def collecting(world, make_plan, interviewer):
    plan = plan_approve(plan=make_plan(), by=world.leader)
    questionnaire_freeze(version=questionnaire_draft(plan=plan, by=world.secretariat, content=CONTENT),
                         by=world.secretariat)
    assignment_add(plan=plan, by=world.secretariat, user=interviewer)
    return plan


def collect(username="dtv", password="pw-for-tests-1") -> Client:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return Client(HTTP_AUTHORIZATION=f"Basic {token}", HTTP_X_OPENROSA_VERSION="1.0", HTTP_ACCEPT_LANGUAGE="vi")


def filled_instance(xform: bytes, values: dict, instance_id: str, end: str = "", start: str = "") -> bytes:
    """The XForm's primary instance with `values` in its leaves, as ODK Collect fills it."""
    model = ElementTree.fromstring(xform).find(f".//{XF}model")
    data = model.find(f"{XF}instance")[0]
    for node in data.iter():
        name = node.tag.split("}")[-1]
        if name in values:
            node.text = values[name]
        elif name == "instanceID":
            node.text = instance_id
        elif name == "dlxh_end":
            node.text = end
        elif name == "dlxh_start":
            node.text = start
    return ElementTree.tostring(data, encoding="utf-8", xml_declaration=True)


def submit(client, document: bytes):
    return client.post("/openrosa/submission", {
        "xml_submission_file": SimpleUploadedFile("instance.xml", document, content_type="text/xml"),
        "anh.jpg": SimpleUploadedFile("anh.jpg", b"\xff\xd8\xff\xe0", content_type="image/jpeg"),  # an extra part
    })


ANSWERS = {"sex": "female", "tuoi": "61", "hai_long": "2", "van_de": "duc mui", "dg_tiep_nhan": "3", "dg_xu_ly": "4",
           "mo_ta": "Nước có mùi."}


def test_form_list_download_and_a_submission_stored_once(collecting):
    assert Client().get("/openrosa/formList").status_code == 401
    refused = collect(password="sai").get("/openrosa/formList")
    assert refused.status_code == 401 and refused["WWW-Authenticate"].startswith("Basic realm=")
    listed = collect().get("/openrosa/formList")
    assert listed.status_code == 200 and listed["X-OpenRosa-Version"] == "1.0" and listed["Date"]
    assert listed["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(listed.content)
    assert root.tag == f"{LIST_NS}xforms"
    (entry,) = root.findall(f"{LIST_NS}xform")
    # Exactly one of each required element, as the Form List API says.
    assert sorted(child.tag.removeprefix(LIST_NS) for child in entry) == [
        "downloadUrl", "formID", "hash", "name", "version"]
    assert entry.findtext(f"{LIST_NS}formID") == f"dlxh_khao_sat_{collecting.pk}"
    assert entry.findtext(f"{LIST_NS}version") == "1"
    assert re.fullmatch(r"md5:[0-9a-f]{32}", entry.findtext(f"{LIST_NS}hash"))
    url = entry.findtext(f"{LIST_NS}downloadUrl")
    xform = collect().get(url.removeprefix("http://testserver"))
    assert xform.status_code == 200 and b"<h:title>" in xform.content
    assert entry.findtext(f"{LIST_NS}hash") == "md5:" + hashlib.md5(xform.content).hexdigest()
    head = collect().head("/openrosa/submission")
    assert head.status_code == 204 and head["X-OpenRosa-Accept-Content-Length"]

    instance_id = f"uuid:{uuid.uuid4()}"
    document = filled_instance(xform.content, ANSWERS, instance_id)
    without_header = Client(HTTP_AUTHORIZATION=collect().defaults["HTTP_AUTHORIZATION"])
    assert submit(without_header, document).status_code == 400 and not SurveyAnswer.objects.exists()
    first = submit(collect(), document)
    assert first.status_code == 201, first.content
    assert b"<OpenRosaResponse xmlns=\"http://openrosa.org/http/response\"><message>" in first.content
    answer = SurveyAnswer.objects.get()
    assert answer.channel == "interview" and answer.instance_id == instance_id
    assert answer.data["van_de"] == ["duc", "mui"] and answer.data["tuoi"] == 61 and answer.stratum == {"sex": "female"}
    again = submit(collect(), document)
    assert again.status_code == 201 and "đã được nhận trước đó" in again.content.decode()
    assert SurveyAnswer.objects.count() == 1
    # The same rules as the online form: a required answer missing is refused, with its question named.
    bad = submit(collect(), filled_instance(xform.content, {**ANSWERS, "dg_xu_ly": ""}, f"uuid:{uuid.uuid4()}"))
    assert bad.status_code == 400 and "dg_xu_ly: Câu này cần trả lời." in bad.content.decode()
    assert SurveyAnswer.objects.count() == 1


def test_submissions_refused_by_scope_and_after_closing(world, collecting):
    xform = collect().get(f"/openrosa/forms/{collecting.pk}/1.xml").content
    # Commune B's secretariat collects nothing here: the form is not listed, the submission not found.
    world.users["clerk2"].set_password("pw-b-1")
    world.users["clerk2"].save()
    assert b"<xform>" not in collect("clerk2", "pw-b-1").get("/openrosa/formList").content
    outsider = submit(collect("clerk2", "pw-b-1"), filled_instance(xform, ANSWERS, f"uuid:{uuid.uuid4()}"))
    assert outsider.status_code == 404
    assert submit(collect(), b"<data><khong-dong>").status_code == 400
    start = datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        plan_close(plan=collecting, by=world.secretariat)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        assert b"<xform>" not in collect().get("/openrosa/formList").content
        late = submit(collect(), filled_instance(xform, ANSWERS, f"uuid:{uuid.uuid4()}",
                                                 end="2026-12-10T08:15:00.000+07:00"))
        assert late.status_code == 201 and "nhận muộn" in late.content.decode()
        after = submit(collect(), filled_instance(xform, ANSWERS, f"uuid:{uuid.uuid4()}",
                                                  end="2026-12-10T10:15:00.000+07:00"))
        assert after.status_code == 409 and "đã kết thúc thu thập" in after.content.decode()
    assert SurveyAnswer.objects.filter(late=True).count() == 1


@pytest.mark.parametrize("document, problem", [
    (b"<data id='dlxh_khao_sat_1'><sex>male</sex></data>", "Thiếu meta/instanceID"),
    (b"<data id='x'><dlxh_end>2026-13-45T08:15:00</dlxh_end><meta><instanceID>u</instanceID></meta></data>",
     "không đọc được"),
    (b"<!DOCTYPE d [<!ENTITY e 'x'>]><data id='x'><q>&e;</q><meta><instanceID>u</instanceID></meta></data>",
     "không phải XML hợp lệ"),
])
def test_an_instance_is_refused_with_its_reason(document, problem):
    with pytest.raises(ValidationError) as refused:
        instance_parse(document)
    assert problem in refused.value.messages[0]


def test_an_end_time_without_offset_is_the_servers_time_zone():
    parsed = instance_parse(b"<data id='dlxh_khao_sat_4' version='2'><g><sex>male</sex></g>"
                            b"<dlxh_end>2026-12-10T08:15:00</dlxh_end><meta><instanceID>uuid:a</instanceID></meta></data>")
    assert parsed.finished_at == datetime(2026, 12, 10, 8, 15, tzinfo=TZ) and parsed.answers == {"sex": "male"}
    assert (parsed.form_id, parsed.version, parsed.instance_id) == ("dlxh_khao_sat_4", "2", "uuid:a")


def test_the_device_times_the_answer_and_only_the_length_is_kept(collecting):
    xform = collect().get(f"/openrosa/forms/{collecting.pk}/1.xml").content
    assert b'jr:preloadParams="start"' in xform and b'jr:preloadParams="end"' in xform
    timed = filled_instance(xform, ANSWERS, f"uuid:{uuid.uuid4()}", start="2026-11-20T08:00:00.000+07:00",
                            end="2026-11-20T08:06:10.000+07:00")
    assert submit(collect(), timed).status_code == 201
    # An end before the start, or no start: taken, untimed.
    backwards = filled_instance(xform, {**ANSWERS, "tuoi": "62"}, f"uuid:{uuid.uuid4()}",
                                start="2026-11-20T09:00:00.000+07:00", end="2026-11-20T08:00:00.000+07:00")
    assert submit(collect(), backwards).status_code == 201
    untimed = filled_instance(xform, {**ANSWERS, "tuoi": "63"}, f"uuid:{uuid.uuid4()}",
                              end="2026-11-20T08:06:10.000+07:00")
    assert submit(collect(), untimed).status_code == 201
    assert list(SurveyAnswer.objects.order_by("pk").values_list("duration_seconds", flat=True)) == [370, None, None]
    assert "dlxh_start" not in SurveyAnswer.objects.first().data

"""Inspection: red flags on planted cases (and none on clean ones), a case as it stood on a date,
the seeded sample, notes handlers never see, every page view logged, all read-only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.exceptions import PermissionDenied
from cases.models import Case, CaseEvent
from cases.services import case_orient, case_verify, reporter_reveal
from reports.inspection import case_as_of, case_sample, metric_case_ids, red_flags, step_times
from reports.models import Inspection, InspectionAccessLog, InspectorNote
from reports.services import inspection_open, inspector_note_add
from workflow.models import CaseClock
from workflow.services import clock_extend

from .conftest import at, plant_event


def _codes(flags):
    return sorted(flag.code for flag in flags)


def test_each_red_flag_fires_on_its_planted_case_and_not_on_a_clean_one(world, life, new_case):
    clean = life.resolved(at(2026, 3, 2), days=3, title="Sạch")
    reporter_reveal(case=clean, by=world.clerk, reason="Cần liên hệ lại người phản ánh.")
    quiet = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"), (at(2026, 3, 2, 11), "assign"),
                      (at(2026, 3, 3), "resolve"), topic=world.quiet_topic, title="Không cần trả lời")

    # Deadline moved after it was missed: extended two days after the orient clock ran out.
    moved = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"), (at(2026, 3, 2, 11), "assign"))
    due = CaseClock.objects.get(case=moved, clock="orient", stopped_at__isnull=True).due_at
    life.tm.move_to(due + timedelta(days=2), tick=False)
    clock_extend(case=moved, clock="orient", by=world.leader, reason="Chờ ý kiến sở", decision_ref="QĐ 5/QĐ-UBND",
                 new_due=due + timedelta(days=5))
    # An extension in time, but with no decision reference (an import wrote it).
    no_decision = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"), (at(2026, 3, 2, 11), "assign"))
    plant_event(no_decision, "extend", actor=world.leader, note="Gia hạn", data={
        "clock": "orient", "old_due": (timezone.now() + timedelta(days=1)).isoformat(),
        "new_due": (timezone.now() + timedelta(days=3)).isoformat(), "decision_ref": "",
    })
    # Resolved without the public response its topic requires.
    no_response = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"), (at(2026, 3, 2, 11), "assign"))
    plant_event(no_response, "resolve", actor=world.handler, note="Xong", data={"orient_skipped": True})
    # Response edited after publication: published twice...
    twice = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"), (at(2026, 3, 2, 11), "assign"),
                      (at(2026, 3, 3), "orient"))
    plant_event(twice, "orient", actor=world.handler, note="Nội dung trả lời khác hẳn.")
    # ...or the text on the case changed without any event.
    rewritten = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"), (at(2026, 3, 2, 11), "assign"),
                          (at(2026, 3, 3), "orient"))
    Case.objects.filter(pk=rewritten.pk).update(public_response="Câu trả lời đã bị sửa.")
    # Reporter identity revealed with no reason.
    revealed = life.case(at(2026, 3, 2), (at(2026, 3, 2, 10), "verify"))
    plant_event(revealed, "reveal_reporter", actor=world.leader, note="  ", data={"reporters": ["#1"]})

    flags = red_flags(case_ids=Case.objects.values_list("pk", flat=True))
    assert clean.pk not in flags and quiet.pk not in flags
    assert _codes(flags[moved.pk]) == ["deadline_moved_after_missed"]
    assert _codes(flags[no_decision.pk]) == ["extension_without_decision"]
    assert _codes(flags[no_response.pk]) == ["resolved_without_response"]
    assert _codes(flags[twice.pk]) == ["response_edited"]
    assert _codes(flags[rewritten.pk]) == ["response_edited"]
    assert _codes(flags[revealed.pk]) == ["reveal_without_reason"]
    assert flags[moved.pk][0].seq == CaseEvent.objects.get(case=moved, action="extend").seq


def test_the_case_as_it_stood_on_a_date(world, life):
    t0 = at(2026, 3, 2, 9)
    life.tm.move_to(t0, tick=False)
    case = life.case(t0, title="Theo dõi theo thời gian")
    life.tm.move_to(at(2026, 3, 2, 14), tick=False)
    case_verify(case=case, by=world.clerk, topic=world.quiet_topic, locality=world.hamlet_a)
    life.tm.move_to(at(2026, 3, 3, 8), tick=False)
    from cases.services import case_assign

    case_assign(case=case, by=world.leader, unit=world.hamlet_a, assignee=world.hamlet_handler)
    assigned_due = CaseClock.objects.get(case=case, clock="resolve", stopped_at__isnull=True).due_at
    life.tm.move_to(at(2026, 3, 5, 8), tick=False)
    clock_extend(case=case, clock="resolve", by=world.hamlet_leader, reason="Chờ kết quả", decision_ref="QĐ 1",
                 new_due=assigned_due + timedelta(days=7))
    life.tm.move_to(at(2026, 3, 9, 8), tick=False)
    case_orient(case=case, by=world.hamlet_handler, response="Đã trả lời tại họp thôn.")
    life.tm.move_to(at(2026, 4, 1), tick=False)

    before = case_as_of(case=case, moment=at(2026, 3, 1))
    assert not before.exists
    received = case_as_of(case=case, moment=at(2026, 3, 2, 12))
    assert received.values["status"] == "received" and received.values["topic"] == world.topic.code
    assert received.values["owner"] == world.commune_a.code
    verified = case_as_of(case=case, moment=at(2026, 3, 2, 15))
    assert (verified.values["status"], verified.values["topic"]) == ("verified", world.quiet_topic.code)
    assert verified.set_by["topic"] == 2 and verified.later == 3
    assigned = case_as_of(case=case, moment=at(2026, 3, 4, 12))
    assert (assigned.values["status"], assigned.values["owner"], assigned.values["assignee"]) == (
        "assigned", world.hamlet_a.code, "hamlet_handler")
    assert assigned.values["deadline"] == assigned_due  # before the extension moved it
    extended = case_as_of(case=case, moment=at(2026, 3, 6, 12))
    assert extended.values["deadline"] == assigned_due + timedelta(days=7)
    assert "public_response" not in extended.values
    oriented = case_as_of(case=case, moment=at(2026, 3, 9, 9))
    assert oriented.values["status"] == "oriented"
    assert oriented.values["public_response"] == "Đã trả lời tại họp thôn."
    assert [e.action for e in oriented.events] == ["intake", "verify", "assign", "extend", "orient"]


def test_performance_sample_and_step_times(world, life):
    on_time = life.resolved(at(2026, 3, 2), days=3)
    late = life.resolved(at(2026, 3, 3), days=22)
    life.resolved(at(2026, 3, 5), days=2, commune="B")
    still_open = life.case(at(2026, 3, 10), (at(2026, 3, 10, 10), "verify"))
    life.tm.move_to(at(2026, 4, 2), tick=False)
    inspection = inspection_open(by=world.inspector, unit=world.commune_a, period_start=at(2026, 3, 1).date(),
                                 period_end=at(2026, 3, 31).date())
    ids = metric_case_ids(user=world.inspector, inspection=inspection)
    assert ids["received"] == {on_time.pk, late.pk, still_open.pk}
    assert (ids["on_time"], ids["late"]) == ({on_time.pk}, {late.pk})
    assert ids["overdue"] == {still_open.pk}

    steps = {s.status: s for s in step_times(case_ids=ids["all"], since=at(2026, 3, 1, 0), until=at(2026, 4, 1, 0))}
    assert steps["received"].count == 3 and steps["received"].average_seconds == 3600  # each verified in an hour
    assert steps["oriented"].average_seconds == pytest.approx(((3 * 86400 - 3 * 3600) + (22 * 86400 - 3 * 3600)) / 2)

    first = [c.pk for c in case_sample(user=world.inspector, inspection=inspection)]
    assert sorted(first) == sorted([on_time.pk, late.pk])  # closed ones only, commune A only
    assert [c.pk for c in case_sample(user=world.inspector, inspection=inspection, size=1)] == first[:1]
    assert [c.pk for c in case_sample(user=world.inspector, inspection=inspection)] == first  # the same every time


def test_pages_are_read_only_logged_and_notes_stay_with_inspectors(world, life, as_user):
    case = life.resolved(at(2026, 3, 2), days=3)
    life.tm.move_to(at(2026, 4, 2), tick=False)
    inspector = as_user("inspector")
    response = inspector.post("/reports/inspection/new/", {
        "unit": world.commune_a.code, "period_start": "01/03/2026", "period_end": "31/03/2026", "title": "Kiểm tra quý I",
    })
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/inspection/{inspection.pk}/"
    events_before = CaseEvent.objects.count()

    pages = [f"/reports/inspection/{inspection.pk}/", f"/reports/inspection/{inspection.pk}/?check=1",
             f"/reports/inspection/{inspection.pk}/cases/?metric=on_time", f"/reports/inspection/{inspection.pk}/sample/",
             f"/reports/inspection/{inspection.pk}/cases/{case.code}/?at=03/03/2026 10:00"]
    for page in pages:
        assert inspector.get(page).status_code == 200, page
    assert InspectionAccessLog.objects.filter(user=world.inspector, inspection=inspection).count() == len(pages)
    detail = inspector.get(pages[0]).content.decode()
    assert 'data-metric="on_time"><strong>1</strong>' in detail
    assert "Toàn vẹn" in inspector.get(pages[1]).content.decode()
    as_of = inspector.get(pages[4]).content.decode()
    assert "Đã định hướng, trả lời" in as_of.split('data-testid="as-of"')[1].split("</section>")[0]

    inspector.post(f"/reports/inspection/{inspection.pk}/notes/", {"text": "Hồ sơ thiếu biên bản.", "case": case.code})
    note = InspectorNote.objects.get()
    assert (note.case, note.author) == (case, world.inspector)
    assert "Hồ sơ thiếu biên bản." in as_user("supervisor").get(pages[4]).content.decode()
    for username in ("handler", "leader", "clerk", "secretariat", "leader2"):
        client = as_user(username)
        for page in pages:
            assert client.get(page).status_code == 404, (username, page)
        assert "Hồ sơ thiếu biên bản." not in client.get(f"/cases/{case.code}/").content.decode()
    assert CaseEvent.objects.count() == events_before  # looking changed nothing in any case

    with pytest.raises(PermissionDenied):
        inspector_note_add(inspection=inspection, by=world.handler, text="Không được phép")
    assert as_user("supervisor").get("/reports/inspection/log/").status_code == 200
    assert as_user("handler").get("/reports/inspection/log/").status_code == 403

"""The unit's leader runs its network on the web: a new collaborator with a login gets the role and lands on the
note screen; pausing them withdraws it; targets change the coverage; another unit's people cannot do it."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from cases.models import Role, Unit
from cases.permissions import has_direct_role
from collaborators.models import Collaborator, NetworkTarget

pytestmark = pytest.mark.django_db


def test_a_collaborator_appointed_paused_and_the_plan(demo_user, text):
    leader = demo_user("leader")
    thon_doai = Unit.objects.get(code="DM-ANBINH-T02")
    form = {"full_name": "Mai Văn Tám", "localities": [thon_doai.pk], "social_group": "farmers",
            "decision_number": "45/QĐ-BTG", "term_start": "2026-01-01", "term_end": "2027-12-31", "status": "active",
            "username": "ctv_tam", "password": "mat-khau-ban-dau-2026"}
    # Commune B's leader may not add to commune A's network (it is not theirs to see: 404).
    assert demo_user("leader2").post(reverse("collaborators:collaborator_new", args=["DM-ANBINH"]),
                                     form).status_code == 404
    assert demo_user("clerk").get(reverse("collaborators:network", args=["DM-ANBINH"])).status_code == 404
    response = leader.post(reverse("collaborators:collaborator_new", args=["DM-ANBINH"]), form)
    assert response.status_code == 302
    collaborator = Collaborator.objects.get(full_name="Mai Văn Tám")
    user = get_user_model().objects.get(username="ctv_tam")
    assert collaborator.user == user and has_direct_role(user, collaborator.unit, Role.COLLABORATOR)
    # Thôn Đoài is covered now.
    page = text(leader.get(reverse("collaborators:network", args=["DM-ANBINH"])))
    assert "Thôn, khu phố chưa có cộng tác viên Không có." in page and "Thôn Đoài — có" not in page
    # Their home is the note screen; the case queue is not theirs.
    tam = demo_user("ctv_tam")
    assert tam.get(reverse("web:queue")).url == reverse("collaborators:my_notes")
    # Paused: the role is withdrawn and the note screen refuses them.
    form.pop("username"), form.pop("password")
    leader.post(reverse("collaborators:collaborator_edit", args=["DM-ANBINH", collaborator.pk]),
                {**form, "status": "paused"})
    assert not has_direct_role(user, collaborator.unit, Role.COLLABORATOR)
    assert tam.get(reverse("collaborators:my_notes")).status_code == 403
    # A target of three among women: ctv2 alone represents them in commune A, so two are missing.
    leader.post(reverse("collaborators:target_set", args=["DM-ANBINH"]),
                {"social_group": "women", "wanted": 3, "locality": "", "sector": ""})
    assert NetworkTarget.objects.filter(unit__code="DM-ANBINH", social_group="women", wanted=3).exists()
    assert "Phụ nữ — có 1/3, thiếu 2" in text(leader.get(reverse("collaborators:network", args=["DM-ANBINH"])))


def test_a_collaborator_proposes_a_subject_the_leader_follows(demo_user):
    from cases.models import Unit as U
    from collaborators.models import Subject, SubjectStatus

    response = demo_user("ctv").post(reverse("collaborators:my_notes"), {
        "subject": "new", "new_subject": "Giá phân bón tăng", "locality": U.objects.get(code="DM-ANBINH-T01").pk,
        "attitude": "concerned", "summary": "Nông dân lo giá phân bón tăng trước vụ mới."})
    assert response.status_code == 302
    subject = Subject.objects.get(title="Giá phân bón tăng")
    assert subject.status == SubjectStatus.PROPOSED and subject.unit.code == "DM-ANBINH"
    demo_user("leader").post(reverse("collaborators:subject_status", args=[subject.pk]), {"status": "followed"})
    subject.refresh_from_db()
    assert subject.status == SubjectStatus.FOLLOWED

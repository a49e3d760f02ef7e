"""The inspection screens: each opening is written to the access log under its own name, and
only for those who may open it (the area as a whole is a 403 for anyone else, one inspection a 404)."""

from django.utils import translation

from reports.models import InspectionAccessLog
from reports.oversight import describe_access
from reports.services import inspection_open

from .conftest import at


def test_every_page_opened_is_logged_under_its_name_and_no_other_is(world, as_user):
    inspection = inspection_open(by=world.inspector, unit=world.commune_a, period_start=at(2026, 3, 1).date(),
                                 period_end=at(2026, 3, 31).date())
    one = f"/reports/inspection/{inspection.pk}/"
    inspector = as_user("inspector")
    for page in ("/reports/inspection/", "/reports/inspection/log/", one, f"{one}cases/?metric=on_time",
                 f"{one}cases/?metric=bogus", f"{one}sample/"):
        assert inspector.get(page).status_code == 200, page
    assert inspector.get(f"{one}cases/KHONG-CO/").status_code == 404  # logged all the same: it was asked for
    assert inspector.post(f"{one}notes/", {"text": ""}).status_code == 302

    # Kept as codes: the page's Vietnamese source text (its msgid), the case or the metric apart.
    entries = list(InspectionAccessLog.objects.filter(user=world.inspector).order_by("pk"))
    logged = [(e.what, e.inspection_id, e.case_code, e.scope) for e in entries]
    assert logged == [
        ("Danh sách cuộc kiểm tra", None, "", ""),
        ("Nhật ký truy cập kiểm tra", None, "", ""),
        ("hiệu quả xử lý", inspection.pk, "", ""),
        ("danh sách vụ việc", inspection.pk, "", "on_time"),
        ("danh sách vụ việc", inspection.pk, "", "all"),
        ("mẫu vụ việc đã đóng", inspection.pk, "", ""),
        ("vụ việc", inspection.pk, "KHONG-CO", ""),
        ("ghi chú", inspection.pk, "", ""),
    ]
    # Shown in each reader's language, whoever opened the page in which.
    named = f"Cuộc kiểm tra #{inspection.pk}"
    with translation.override("vi"):
        assert [describe_access(e) for e in entries][2:5] == [
            f"{named}: hiệu quả xử lý", f"{named}: danh sách vụ việc (Đúng hạn)",
            f"{named}: danh sách vụ việc (Mọi vụ việc của cuộc kiểm tra)"]
        assert describe_access(entries[6]) == f"{named}: vụ việc KHONG-CO"
    with translation.override("en"):
        assert describe_access(entries[2]) == f"Inspection #{inspection.pk}: handling performance"
        assert describe_access(entries[3]) == f"Inspection #{inspection.pk}: case list (On time)"

    handler = as_user("handler")
    assert handler.get("/reports/inspection/").status_code == 403
    assert handler.get("/reports/inspection/log/").status_code == 403
    assert handler.get(one).status_code == 404
    assert handler.post(f"{one}notes/", {"text": "Không được phép"}).status_code == 404
    assert inspector.get("/reports/inspection/9999/").status_code == 404
    assert InspectionAccessLog.objects.exclude(user=world.inspector).count() == 0
    assert InspectionAccessLog.objects.count() == len(logged)

"""The inspection screens: each opening is written to the access log under its own name, and
only for those who may open it (the area as a whole is a 403 for anyone else, one inspection a 404)."""

from reports.models import InspectionAccessLog
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

    named = f"Cuộc kiểm tra #{inspection.pk}"
    logged = list(InspectionAccessLog.objects.filter(user=world.inspector).order_by("pk")
                  .values_list("what", "inspection"))
    assert logged == [
        ("Danh sách cuộc kiểm tra", None),
        ("Nhật ký truy cập kiểm tra", None),
        (f"{named}: hiệu quả xử lý", inspection.pk),
        (f"{named}: danh sách vụ việc (on_time)", inspection.pk),
        (f"{named}: danh sách vụ việc (all)", inspection.pk),
        (f"{named}: mẫu vụ việc đã đóng", inspection.pk),
        (f"{named}: vụ việc KHONG-CO", inspection.pk),
        (f"{named}: ghi chú", inspection.pk),
    ]

    handler = as_user("handler")
    assert handler.get("/reports/inspection/").status_code == 403
    assert handler.get("/reports/inspection/log/").status_code == 403
    assert handler.get(one).status_code == 404
    assert handler.post(f"{one}notes/", {"text": "Không được phép"}).status_code == 404
    assert inspector.get("/reports/inspection/9999/").status_code == 404
    assert InspectionAccessLog.objects.exclude(user=world.inspector).count() == 0
    assert InspectionAccessLog.objects.count() == len(logged)

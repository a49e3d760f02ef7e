"""Default clock policies: the step deadlines of DESIGN.md section 5 and the legal clocks of issue 4.

Administrators edit them afterwards (admin: "Quy định thời hạn").
"""

from django.db import migrations

WD, H, D = "working_days", "hours", "calendar_days"

POLICIES = [
    # Step deadlines (DESIGN.md section 5); Case.deadline follows the running one.
    dict(clock="verify", name="Xác minh vụ việc", kind="step", status="received", unit=WD, amount=1,
         start_events=["intake"], stop_events=["verify", "reject", "merge"]),
    dict(clock="verify", name="Xác minh vụ việc (hỏa tốc)", kind="step", status="received", priority="flash",
         unit=H, amount=4, start_events=["intake"], stop_events=["verify", "reject", "merge"]),
    dict(clock="assign", name="Giao xử lý", kind="step", status="verified", unit=WD, amount=1,
         start_events=["verify"], stop_events=["assign", "reject", "merge"]),
    dict(clock="orient", name="Định hướng, trả lời công khai", kind="step", status="assigned",
         public_response="required", unit=WD, amount=3,
         start_events=["assign", "reassign", "reopen"], stop_events=["orient", "resolve"]),
    dict(clock="orient", name="Định hướng, trả lời công khai (hỏa tốc)", kind="step", status="assigned",
         public_response="required", priority="flash", unit=H, amount=24,
         start_events=["assign", "reassign", "reopen"], stop_events=["orient", "resolve"]),
    dict(clock="resolve", name="Giải quyết", kind="step", status="oriented", unit=WD, amount=10,
         start_events=["orient", "reassign"], stop_events=["resolve"]),
    # Where the topic needs no public response, resolution follows the assignment directly.
    dict(clock="resolve", name="Giải quyết", kind="step", status="assigned", public_response="not_required",
         unit=WD, amount=10, start_events=["assign", "reassign", "reopen"], stop_events=["resolve"]),
    # Legal clocks.
    dict(clock="reply_reporter", name="Thông báo kết quả tiếp nhận cho người phản ánh", kind="legal",
         unit=WD, amount=10, start_events=["intake"],
         stop_events=["reporter_notified", "orient", "resolve", "reject", "merge"],
         legal_basis="Luật Tiếp công dân 2013, Điều 28: trong thời hạn 10 ngày làm việc kể từ ngày nhận "
                     "khiếu nại, tố cáo, kiến nghị, phản ánh, phải trả lời hoặc thông báo cho người đến trình bày."),
    dict(clock="transfer", name="Chuyển đến đúng cơ quan có thẩm quyền", kind="legal", unit=WD, amount=5,
         start_events=["transfer"], stop_events=["transfer_done", "verify", "assign", "reassign", "reject", "merge"],
         legal_basis="Nghị định 20/2008/NĐ-CP, Điều 9: phản ánh, kiến nghị không thuộc thẩm quyền được "
                     "chuyển đến cơ quan có thẩm quyền trong 05 ngày làm việc."),
    dict(clock="complaint_first", name="Giải quyết khiếu nại lần đầu", kind="legal", case_kind="complaint",
         unit=D, amount=30, complex_amount=45, remote_amount=45, remote_complex_amount=60,
         start_events=["verify"], stop_events=["resolve", "reject", "merge"],
         legal_basis="Luật Khiếu nại 2011, Điều 28: không quá 30 ngày kể từ ngày thụ lý; vụ việc phức tạp "
                     "không quá 45 ngày; ở vùng sâu, vùng xa đi lại khó khăn không quá 45 ngày, vụ việc phức "
                     "tạp không quá 60 ngày."),
]

KEY = ("clock", "priority", "public_response", "case_kind", "status")


def seed(apps, schema_editor):
    ClockPolicy = apps.get_model("workflow", "ClockPolicy")
    for row in POLICIES:
        row = {"priority": "", "public_response": "", "case_kind": "", "status": "", **row}
        lookup = {key: row[key] for key in KEY}
        if not ClockPolicy.objects.filter(topic__isnull=True, **lookup).exists():
            ClockPolicy.objects.create(**row)


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

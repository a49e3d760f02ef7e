"""The default clock policies: the step deadlines of DESIGN.md section 5, the clocks of each kind's path, and
the legal clocks, each with its legal basis.

A new or flushed database gets these (workflow.services.clock_policies_seed_if_empty); migration 0005 brings
an existing database's defaults to the same. Administrators edit them afterwards (admin: "Quy định thời hạn").
"""

from cases.actions import CaseAction as E  # the events that start and stop a clock

WD, H, D = "working_days", "hours", "calendar_days"

POLICIES = [
    # Step deadlines (DESIGN.md section 5); Case.deadline follows the running one.
    dict(clock="verify", name="Xác minh vụ việc", kind="step", status="received", unit=WD, amount=1,
         start_events=[E.INTAKE], stop_events=[E.VERIFY, E.REJECT, E.MERGE]),
    dict(clock="verify", name="Xác minh vụ việc (hỏa tốc)", kind="step", status="received", priority="flash",
         unit=H, amount=4, start_events=[E.INTAKE], stop_events=[E.VERIFY, E.REJECT, E.MERGE]),
    dict(clock="assign", name="Giao xử lý", kind="step", status="verified", unit=WD, amount=1,
         start_events=[E.VERIFY], stop_events=[E.ASSIGN, E.REJECT, E.MERGE]),
    dict(clock="orient", name="Định hướng, trả lời công khai", kind="step", status="assigned",
         public_response="required", unit=WD, amount=3,
         start_events=[E.ASSIGN, E.REASSIGN, E.REOPEN, E.PULL_UP], stop_events=[E.ORIENT, E.RESOLVE]),
    dict(clock="orient", name="Định hướng, trả lời công khai (hỏa tốc)", kind="step", status="assigned",
         public_response="required", priority="flash", unit=H, amount=24,
         start_events=[E.ASSIGN, E.REASSIGN, E.REOPEN, E.PULL_UP], stop_events=[E.ORIENT, E.RESOLVE]),
    dict(clock="resolve", name="Giải quyết", kind="step", status="oriented", unit=WD, amount=10,
         start_events=[E.ORIENT, E.REASSIGN, E.PULL_UP], stop_events=[E.RESOLVE]),
    # Where the topic needs no public response, resolution follows the assignment directly.
    dict(clock="resolve", name="Giải quyết", kind="step", status="assigned", public_response="not_required",
         unit=WD, amount=10, start_events=[E.ASSIGN, E.REASSIGN, E.REOPEN, E.PULL_UP], stop_events=[E.RESOLVE]),
    # Legal clocks.
    dict(clock="reply_reporter", name="Thông báo kết quả tiếp nhận cho người phản ánh", kind="legal",
         unit=WD, amount=10, start_events=[E.INTAKE],
         stop_events=[E.REPORTER_NOTIFIED, E.ORIENT, E.RESOLVE, E.REJECT, E.MERGE],
         legal_basis="Luật Tiếp công dân 2013, Điều 28: trong thời hạn 10 ngày làm việc kể từ ngày nhận "
                     "khiếu nại, tố cáo, kiến nghị, phản ánh, phải trả lời hoặc thông báo cho người đến trình bày."),
    # Complaints and denunciations are not settled here: transfer them, then tell the reporter.
    dict(clock="transfer", name="Chuyển đơn khiếu nại đến cơ quan có thẩm quyền", kind="step", status="received",
         case_kind="complaint", unit=WD, amount=10, start_events=[E.INTAKE], stop_events=[E.TRANSFER, E.REJECT, E.MERGE],
         legal_basis="Thông tư 05/2021/TT-TTCP (quy trình xử lý đơn): đơn khiếu nại không thuộc thẩm quyền được "
                     "hướng dẫn hoặc chuyển trong thời hạn 10 ngày làm việc kể từ ngày nhận đơn."),
    dict(clock="transfer", name="Chuyển đơn tố cáo đến cơ quan có thẩm quyền", kind="step", status="received",
         case_kind="denunciation", unit=WD, amount=5, start_events=[E.INTAKE],
         stop_events=[E.TRANSFER, E.REJECT, E.MERGE],
         legal_basis="Luật Tố cáo 2018, Điều 24: tố cáo không thuộc thẩm quyền được chuyển đến cơ quan có thẩm "
                     "quyền giải quyết trong thời hạn 05 ngày làm việc kể từ ngày nhận, và thông báo cho người tố cáo."),
    dict(clock="notify_reporter", name="Thông báo việc chuyển đơn cho người phản ánh", kind="step",
         status="transferred", unit=WD, amount=5, start_events=[E.TRANSFER], stop_events=[E.REPORTER_NOTIFIED],
         legal_basis="Luật Tiếp công dân 2013, Điều 28: trả lời hoặc thông báo cho người đến trình bày trong "
                     "thời hạn 10 ngày làm việc kể từ ngày nhận; Nghị định 20/2008/NĐ-CP, Điều 9: phản ánh, "
                     "kiến nghị không thuộc thẩm quyền được chuyển trong 05 ngày làm việc và báo cho người gửi."),
    # Settling a complaint belongs to the competent agency, not to this body: off unless a unit here is
    # configured as competent for complaints (an administrator then turns it on).
    dict(clock="complaint_first", name="Giải quyết khiếu nại lần đầu (chỉ khi đơn vị có thẩm quyền)", kind="legal",
         case_kind="complaint", is_active=False,
         unit=D, amount=30, complex_amount=45, remote_amount=45, remote_complex_amount=60,
         start_events=[E.VERIFY], stop_events=[E.RESOLVE, E.REJECT, E.MERGE],
         legal_basis="Chỉ áp dụng khi một đơn vị trong hệ thống được giao thẩm quyền giải quyết khiếu nại; mặc "
                     "định tắt vì khiếu nại được chuyển đến cơ quan có thẩm quyền. "
                     "Luật Khiếu nại 2011, Điều 28: không quá 30 ngày kể từ ngày thụ lý; vụ việc phức tạp "
                     "không quá 45 ngày; ở vùng sâu, vùng xa đi lại khó khăn không quá 45 ngày, vụ việc phức "
                     "tạp không quá 60 ngày."),
]


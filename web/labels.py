"""Vietnamese labels for what the history and the forms show (English comes from the catalogue)."""

from django.utils.translation import gettext_lazy as _

# Every action a CaseEvent may carry (cases.services, workflow.services, workflow.task_services).
EVENT_LABELS = {
    "intake": _("Tiếp nhận"),
    "verify": _("Xác minh"),
    "reject": _("Không thụ lý"),
    "merge": _("Gộp vào vụ việc khác"),
    "merge_in": _("Nhận gộp vụ việc trùng"),
    "assign": _("Giao xử lý"),
    "reassign": _("Giao lại"),
    "orient": _("Định hướng, trả lời"),
    "resolve": _("Giải quyết xong"),
    "reopen": _("Mở lại"),
    "report": _("Đưa vào báo cáo"),
    "reveal_reporter": _("Xem danh tính người phản ánh"),
    "public_feedback": _("Phản hồi của người phản ánh"),
    "take_task": _("Nhận nhiệm vụ"),
    "give_task": _("Giao nhiệm vụ"),
    "unit_merged": _("Chuyển do sáp nhập đơn vị"),
    "remind": _("Nhắc hạn"),
    "escalate": _("Chuyển cấp trên"),
    "extend": _("Gia hạn"),
    "clock_pause": _("Tạm dừng tính hạn"),
    "clock_resume": _("Tiếp tục tính hạn"),
    "deadline_recomputed": _("Tính lại hạn"),
}

# Buttons for the moves of cases.lifecycle.
MOVE_LABELS = {
    "verify": _("Xác minh"),
    "reject": _("Không thụ lý"),
    "merge": _("Gộp vào vụ việc khác"),
    "assign": _("Giao xử lý"),
    "reassign": _("Giao lại"),
    "orient": _("Định hướng, trả lời"),
    "resolve": _("Giải quyết xong"),
    "reopen": _("Mở lại"),
}

MOVE_HELP = {
    "verify": _("Kiểm tra, sửa nếu cần lĩnh vực, địa bàn, độ khẩn."),
    "reject": _("Không phải ý kiến, kiến nghị, phản ánh; ngoài phạm vi; tin rác."),
    "merge": _("Vụ việc trùng với một vụ việc đang xử lý: các lượt phản ánh chuyển sang vụ việc đó."),
    "assign": _("Giao cho đơn vị (và người) xử lý."),
    "reassign": _("Chuyển sang đơn vị khác; nhiệm vụ của đơn vị cũ đóng lại."),
    "orient": _("Nội dung đã thông tin, giải thích: ở đâu, cho ai."),
    "resolve": _("Kết quả và căn cứ."),
    "reopen": _("Gửi lại đơn vị xử lý, có lý do."),
}

# Keys of CaseEvent.data worth a label; anything else is shown as it is.
DATA_LABELS = {
    "channel": _("Kênh"),
    "topic": _("Lĩnh vực"),
    "locality": _("Địa bàn"),
    "owner_name": _("Đơn vị tiếp nhận"),
    "priority": _("Độ khẩn"),
    "anonymous": _("Ẩn danh"),
    "from_unit_name": _("Từ đơn vị"),
    "to_unit_name": _("Đến đơn vị"),
    "assignee": _("Người được giao"),
    "into": _("Gộp vào"),
    "merged_case": _("Vụ việc được gộp"),
    "reports_added": _("Số lượt phản ánh thêm"),
    "changes": _("Thay đổi"),
    "orient_skipped": _("Bỏ qua bước định hướng"),
    "fixed": _("Đã khắc phục"),
    "report": _("Báo cáo"),
    "reporters": _("Danh tính đã xem"),
    "step": _("Bước"),
    "unit": _("Đơn vị"),
    "to": _("Giao cho"),
    "clock_name": _("Thời hạn"),
    "level": _("Mức"),
    "due": _("Hạn"),
    "old_due": _("Hạn cũ"),
    "new_due": _("Hạn mới"),
    "decision_ref": _("Số quyết định"),
    "complex": _("Vụ việc phức tạp"),
    "paused_seconds": _("Thời gian tạm dừng (giây)"),
    "to_units": _("Gửi đến đơn vị"),
    "clock": None,  # the code; the name is shown when the event has it
    "scheduled_for": None,
    "to_roles": None,
    "calendar_changes": None,
    "to_unit": None,  # the name is shown instead
    "from_unit": None,
    "owner": None,
}

STEP_LABELS = {
    "verify_step": _("Xác minh"),
    "assign_step": _("Giao xử lý"),
    "orient_step": _("Định hướng, trả lời"),
    "resolve_step": _("Giải quyết"),
}

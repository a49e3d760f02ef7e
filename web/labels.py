"""Vietnamese labels for what the history and the forms show (English comes from the catalogue)."""

from django.utils.translation import gettext_lazy as _

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
    "keep_closed": _("Giữ kết quả, không mở lại"),
    "transfer": _("Chuyển đơn"),
    "reporter_notified": _("Đã báo người phản ánh"),
    "pull_up": _("Rút lên đơn vị mình xử lý"),
    "instruct": _("Chỉ đạo đơn vị xử lý"),
    "acknowledge": _("Tiếp thu chỉ đạo"),
    "extend": _("Gia hạn"),
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
    "keep_closed": _("Người phản ánh báo chưa khắc phục nhưng kết quả giải quyết vẫn giữ nguyên; nêu lý do."),
    "transfer": _("Khiếu nại, tố cáo hoặc việc không thuộc thẩm quyền: chuyển đến cơ quan có thẩm quyền, "
                  "nêu căn cứ pháp lý. Sau đó cần báo cho người phản ánh."),
    "reporter_notified": _("Ghi nhận đã báo cho người phản ánh nơi đơn được chuyển đến; vụ việc kết thúc."),
    "pull_up": _("Đơn vị của bạn trở thành đơn vị xử lý vụ việc đã chuyển lên."),
    "instruct": _("Chỉ đạo bằng văn bản; đơn vị xử lý phải xác nhận tiếp thu."),
    "acknowledge": _("Xác nhận đơn vị đã nhận và thực hiện chỉ đạo của cấp trên."),
    "extend": _("Gia hạn thời hạn của bước hiện tại theo quyết định có số, ký hiệu."),
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
    "after_breach": _("Gia hạn sau khi đã quá hạn"),
    "kind": _("Loại vụ việc"),
    "agency": _("Cơ quan có thẩm quyền"),
    "legal_basis": _("Căn cứ pháp lý"),
    "how": _("Hình thức báo"),
    "notified_at": _("Thời điểm báo"),
    "role_withdrawn_from": _("Thu hồi vai trò của"),
    "paused_seconds": _("Thời gian tạm dừng (giây)"),
    "deadline": _("Hạn của bước đang chạy"),  # after the event; every event states it
    "to_units": _("Gửi đến đơn vị"),
    "refused": _("Tệp không được nhận"),
    "from_reporter": _("Của người phản ánh"),
    "attachments": _("Số tệp đính kèm"),
    "attachments_refused": _("Tệp không được nhận"),
    "files": _("Tệp đính kèm"),
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

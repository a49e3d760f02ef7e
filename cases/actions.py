"""Every action a case event may carry (`CaseEvent.action`), with its label beside it.

The one vocabulary of the case history: the services write these codes, the clocks, the outbox, the
reports and the screens read them, the label is rendered in the reader's language. The moves of the
state machine (cases.lifecycle) are actions of the same name.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseAction(models.TextChoices):
    # The moves of the lifecycle.
    INTAKE = "intake", _("Tiếp nhận")
    VERIFY = "verify", _("Xác minh")
    REJECT = "reject", _("Không thụ lý")
    MERGE = "merge", _("Gộp vào vụ việc khác")
    TRANSFER = "transfer", _("Chuyển đơn đến cơ quan có thẩm quyền")
    REPORTER_NOTIFIED = "reporter_notified", _("Đã báo người phản ánh")
    ASSIGN = "assign", _("Giao xử lý")
    REASSIGN = "reassign", _("Giao lại")
    ORIENT = "orient", _("Định hướng, trả lời")
    RESOLVE = "resolve", _("Giải quyết xong")
    REOPEN = "reopen", _("Mở lại")
    KEEP_CLOSED = "keep_closed", _("Giữ kết quả, không mở lại")
    REPORT = "report", _("Đưa vào báo cáo")
    PULL_UP = "pull_up", _("Cấp trên rút lên xử lý")
    INSTRUCT = "instruct", _("Chỉ đạo của cấp trên")
    ACKNOWLEDGE = "acknowledge", _("Tiếp thu chỉ đạo")
    EXTEND = "extend", _("Gia hạn")
    # Beside the moves: the case's history without a change of status.
    MERGE_IN = "merge_in", _("Nhận gộp vụ việc trùng")
    MESSAGE = "message", _("Tin nhắn bổ sung qua kênh tiếp nhận")
    # Staff only: never on the public page, in Open311 or in the public response.
    INTERNAL_NOTE = "internal_note", _("Ghi chú nội bộ")
    ATTACHMENTS_REFUSED = "attachments_refused", _("Tệp đính kèm không được nhận")
    PUBLIC_FEEDBACK = "public_feedback", _("Phản hồi của người phản ánh")
    REVEAL_REPORTER = "reveal_reporter", _("Xem danh tính người phản ánh")
    REPORTER_ANONYMISED = "reporter_anonymised", _("Xóa thông tin người phản ánh")
    TAKE_TASK = "take_task", _("Nhận nhiệm vụ")
    GIVE_TASK = "give_task", _("Giao nhiệm vụ")
    UNIT_MERGED = "unit_merged", _("Chuyển do sáp nhập đơn vị")
    WORK_MOVED_UP = "work_moved_up", _("Chuyển việc lên cấp trên (đơn vị không còn người đảm nhận)")
    WORK_TO_LEADERS = "work_to_leaders", _("Chuyển việc cho lãnh đạo đơn vị (không còn người đảm nhận)")
    UNASSIGNED = "unassigned", _("Thôi giao người xử lý (người được giao không còn vai trò)")
    # The clocks.
    REMIND = "remind", _("Nhắc hạn")
    ESCALATE = "escalate", _("Chuyển cấp trên")
    CLOCK_PAUSE = "clock_pause", _("Tạm dừng tính hạn")
    CLOCK_RESUME = "clock_resume", _("Tiếp tục tính hạn")
    DEADLINE_RECOMPUTED = "deadline_recomputed", _("Tính lại hạn")

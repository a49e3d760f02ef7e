"""What people read: one subject and one sentence per kind of notification.

Only the case code, its title, unit names and clock facts go into a message,
never anything about the reporter. Texts are rendered when shown or sent, so
they follow the active language.
"""

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.actions import CaseAction

# kind → (subject, sentence)
TEXTS = {
    CaseAction.INTAKE: (
        _("Vụ việc mới %(code)s"),
        _("Vụ việc mới %(code)s «%(title)s» vừa được tiếp nhận tại %(unit)s."),
    ),
    CaseAction.ASSIGN: (
        _("Được giao xử lý vụ việc %(code)s"),
        _("Vụ việc %(code)s «%(title)s» đã được giao cho %(unit)s xử lý."),
    ),
    CaseAction.REASSIGN: (
        _("Giao lại vụ việc %(code)s"),
        _("Vụ việc %(code)s «%(title)s» đã được giao lại cho %(unit)s xử lý."),
    ),
    CaseAction.ORIENT: (
        _("Đã định hướng, trả lời vụ việc %(code)s"),
        _("%(unit)s đã định hướng, trả lời vụ việc %(code)s «%(title)s»."),
    ),
    CaseAction.RESOLVE: (
        _("Đã giải quyết xong vụ việc %(code)s"),
        _("%(unit)s đã giải quyết xong vụ việc %(code)s «%(title)s»."),
    ),
    CaseAction.REOPEN: (
        _("Mở lại vụ việc %(code)s"),
        _("Vụ việc %(code)s «%(title)s» đã được mở lại, %(unit)s xử lý tiếp."),
    ),
    CaseAction.REMIND: (
        _("Nhắc hạn vụ việc %(code)s"),
        _("Nhắc hạn: vụ việc %(code)s «%(title)s», thời hạn “%(clock)s” đến %(due)s."),
    ),
    CaseAction.ESCALATE: (
        _("Chuyển cấp trên: vụ việc %(code)s"),
        _("Vụ việc %(code)s «%(title)s» đã quá thời hạn “%(clock)s” (%(due)s) và được chuyển lên cấp trên, mức %(level)s."),
    ),
    CaseAction.PUBLIC_FEEDBACK: (
        _("Người phản ánh báo chưa khắc phục: vụ việc %(code)s"),
        _("Người phản ánh báo vụ việc %(code)s «%(title)s» chưa được khắc phục; cần quyết định mở lại hoặc giữ kết quả."),
    ),
    CaseAction.INSTRUCT: (
        _("Chỉ đạo của cấp trên về vụ việc %(code)s"),
        _("Cấp trên đã có chỉ đạo về vụ việc %(code)s «%(title)s»; %(unit)s cần tiếp thu và thực hiện."),
    ),
    CaseAction.PULL_UP: (
        _("Cấp trên rút vụ việc %(code)s lên xử lý"),
        _("Vụ việc %(code)s «%(title)s» được cấp trên rút lên, nay do %(unit)s xử lý."),
    ),
    CaseAction.TRANSFER: (
        _("Đã chuyển đơn %(code)s: cần báo người phản ánh"),
        _("Vụ việc %(code)s «%(title)s» đã được chuyển đến cơ quan có thẩm quyền; cần thông báo cho người phản ánh."),
    ),
    CaseAction.WORK_MOVED_UP: (
        _("Vụ việc %(code)s chuyển lên %(unit)s"),
        _("Đơn vị cũ không còn người nhận bước tiếp theo của vụ việc %(code)s «%(title)s»; nay do %(unit)s xử lý."),
    ),
    CaseAction.WORK_TO_LEADERS: (
        _("Lãnh đạo nhận việc của vụ việc %(code)s"),
        _("Không còn ai giữ vai trò cho bước tiếp theo của vụ việc %(code)s «%(title)s»; việc do lãnh đạo %(unit)s xử lý."),
    ),
}
FALLBACK = (_("Cập nhật vụ việc %(code)s"), _("Vụ việc %(code)s «%(title)s» có cập nhật mới."))


class _Params(dict):
    # A missing value renders empty rather than breaking the message.
    def __missing__(self, key):
        return ""


def notification_subject(kind: str, params: dict) -> str:
    return str(TEXTS.get(kind, FALLBACK)[0]) % _Params(params)


def notification_text(kind: str, params: dict) -> str:
    return str(TEXTS.get(kind, FALLBACK)[1]) % _Params(params)


def email_body(sentences: list[str]) -> str:
    footer = gettext(
        "Thư này được hệ thống theo dõi ý kiến, kiến nghị, phản ánh gửi tự động; xin đừng trả lời thư này. "
        "Bạn có thể chọn nhận thư ngay hoặc một thư tổng hợp mỗi ngày."
    )
    return "\n".join(sentences) + "\n\n-- \n" + footer + "\n"


def digest_subject(count: int) -> str:
    return gettext("Tổng hợp thông báo ngày %(date)s: %(count)s thông báo") % {
        "date": timezone.localdate().strftime("%d/%m/%Y"), "count": count,
    }

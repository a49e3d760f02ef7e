"""What people read: one subject and one sentence per kind of notification.

Only the case code, its title, unit names and clock facts go into a message,
never anything about the reporter. Texts are rendered when shown or sent, so
they follow the active language.
"""

from django.utils import timezone
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from cases.actions import CaseAction

# Kinds of messages that are not about a case (notifications.services_direct): a request to collaborators
# (đợt nắm bắt dư luận) and its reminder. Their params: the subject's title, the asking unit, the deadline.
OPINION_REQUEST = "opinion_request"
OPINION_REQUEST_REMIND = "opinion_request_remind"
# A unit published a survey's results to the tier above (surveys.services.results); params: title, unit.
SURVEY_RESULTS = "survey_results"
# The kinds of message that are not about a case (services_direct); every other kind is a CaseAction.
DIRECT_KINDS = frozenset({OPINION_REQUEST, OPINION_REQUEST_REMIND, SURVEY_RESULTS})

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
    OPINION_REQUEST: (
        _("Đợt nắm bắt dư luận: %(title)s"),
        _("%(unit)s đề nghị nắm tình hình dư luận về “%(title)s”, hạn báo cáo %(due)s."),
    ),
    OPINION_REQUEST_REMIND: (
        _("Nhắc báo cáo đợt nắm bắt dư luận: %(title)s"),
        _("Đợt nắm bắt dư luận về “%(title)s” hết hạn lúc %(due)s. Xin gửi phiếu thông tin trước hạn."),
    ),
    SURVEY_RESULTS: (
        _("Kết quả điều tra gửi cấp trên: %(title)s"),
        _("%(unit)s đã công bố kết quả điều tra “%(title)s” gửi cấp trên."),
    ),
}
FALLBACK = (_("Cập nhật vụ việc %(code)s"), _("Vụ việc %(code)s «%(title)s» có cập nhật mới."))


# kind → (its name in the preferences, the bell's row for several such events of one unit on one day)
GROUPS = {
    CaseAction.INTAKE: (
        _("Vụ việc mới"),
        ngettext_lazy("%(count)s vụ việc mới ở %(unit)s", "%(count)s vụ việc mới ở %(unit)s", "count"),
    ),
    CaseAction.ASSIGN: (
        _("Giao xử lý"),
        ngettext_lazy("%(count)s vụ việc giao cho %(unit)s xử lý", "%(count)s vụ việc giao cho %(unit)s xử lý", "count"),
    ),
    CaseAction.REASSIGN: (
        _("Giao lại"),
        ngettext_lazy("%(count)s vụ việc giao lại cho %(unit)s", "%(count)s vụ việc giao lại cho %(unit)s", "count"),
    ),
    CaseAction.ORIENT: (
        _("Định hướng, trả lời"),
        ngettext_lazy("%(unit)s đã định hướng, trả lời %(count)s vụ việc",
                      "%(unit)s đã định hướng, trả lời %(count)s vụ việc", "count"),
    ),
    CaseAction.RESOLVE: (
        _("Giải quyết xong"),
        ngettext_lazy("%(unit)s đã giải quyết xong %(count)s vụ việc", "%(unit)s đã giải quyết xong %(count)s vụ việc",
                      "count"),
    ),
    CaseAction.REOPEN: (
        _("Mở lại"),
        ngettext_lazy("%(count)s vụ việc mở lại ở %(unit)s", "%(count)s vụ việc mở lại ở %(unit)s", "count"),
    ),
    CaseAction.REMIND: (
        _("Nhắc hạn"),
        ngettext_lazy("Nhắc hạn %(count)s vụ việc ở %(unit)s", "Nhắc hạn %(count)s vụ việc ở %(unit)s", "count"),
    ),
    CaseAction.ESCALATE: (
        _("Chuyển cấp trên do quá hạn"),
        ngettext_lazy("%(count)s vụ việc ở %(unit)s quá hạn, chuyển lên cấp trên",
                      "%(count)s vụ việc ở %(unit)s quá hạn, chuyển lên cấp trên", "count"),
    ),
    CaseAction.PUBLIC_FEEDBACK: (
        _("Người phản ánh báo chưa khắc phục"),
        ngettext_lazy("Người phản ánh báo chưa khắc phục %(count)s vụ việc ở %(unit)s",
                      "Người phản ánh báo chưa khắc phục %(count)s vụ việc ở %(unit)s", "count"),
    ),
    CaseAction.INSTRUCT: (
        _("Chỉ đạo của cấp trên"),
        ngettext_lazy("Cấp trên chỉ đạo %(count)s vụ việc của %(unit)s", "Cấp trên chỉ đạo %(count)s vụ việc của %(unit)s",
                      "count"),
    ),
    CaseAction.PULL_UP: (
        _("Cấp trên rút lên xử lý"),
        ngettext_lazy("Cấp trên rút %(count)s vụ việc lên, nay do %(unit)s xử lý",
                      "Cấp trên rút %(count)s vụ việc lên, nay do %(unit)s xử lý", "count"),
    ),
    CaseAction.TRANSFER: (
        _("Đã chuyển đơn, cần báo người phản ánh"),
        ngettext_lazy("Đã chuyển %(count)s đơn của %(unit)s: cần báo người phản ánh",
                      "Đã chuyển %(count)s đơn của %(unit)s: cần báo người phản ánh", "count"),
    ),
    CaseAction.WORK_MOVED_UP: (
        _("Việc chuyển lên đơn vị cấp trên"),
        ngettext_lazy("%(count)s vụ việc chuyển lên %(unit)s", "%(count)s vụ việc chuyển lên %(unit)s", "count"),
    ),
    CaseAction.WORK_TO_LEADERS: (
        _("Lãnh đạo nhận việc không còn người giữ"),
        ngettext_lazy("Lãnh đạo %(unit)s nhận việc của %(count)s vụ việc",
                      "Lãnh đạo %(unit)s nhận việc của %(count)s vụ việc", "count"),
    ),
    OPINION_REQUEST: (
        _("Đợt nắm bắt dư luận"),
        ngettext_lazy("%(count)s đợt nắm bắt dư luận của %(unit)s", "%(count)s đợt nắm bắt dư luận của %(unit)s",
                      "count"),
    ),
    OPINION_REQUEST_REMIND: (
        _("Nhắc hạn đợt nắm bắt dư luận"),
        ngettext_lazy("Nhắc hạn %(count)s đợt nắm bắt dư luận của %(unit)s",
                      "Nhắc hạn %(count)s đợt nắm bắt dư luận của %(unit)s", "count"),
    ),
    SURVEY_RESULTS: (
        _("Kết quả điều tra gửi cấp trên"),
        ngettext_lazy("%(count)s kết quả điều tra của %(unit)s gửi cấp trên",
                      "%(count)s kết quả điều tra của %(unit)s gửi cấp trên", "count"),
    ),
}
GROUP_FALLBACK = ngettext_lazy(
    "%(count)s vụ việc ở %(unit)s có cập nhật mới", "%(count)s vụ việc ở %(unit)s có cập nhật mới", "count"
)


class _Params(dict):
    # A missing value renders empty rather than breaking the message.
    def __missing__(self, key):
        return ""


def notification_subject(kind: str, params: dict) -> str:
    return str(TEXTS.get(kind, FALLBACK)[0]) % _Params(params)


def notification_text(kind: str, params: dict) -> str:
    return str(TEXTS.get(kind, FALLBACK)[1]) % _Params(params)


def notification_group_text(kind: str, unit: str, count: int) -> str:
    """One row for `count` events of one kind at one unit: "12 vụ việc mới ở Thôn Đông"."""
    template = GROUPS[kind][1] if kind in GROUPS else GROUP_FALLBACK
    return template % {"count": count, "unit": unit}


def notification_kind_choices() -> list[tuple[str, str]]:
    """The kinds a person may turn off, with their names, in the order of the table above."""
    return [(str(kind), label) for kind, (label, _text) in GROUPS.items()]


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

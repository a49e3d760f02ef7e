"""The case page: every field, the running clocks, the history, reporters, attachments, and the moves
this person may make now, each with its own small form."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases.actions import CaseAction
from cases.audit import audit_verify
from cases.exceptions import CaseError, CaseNotFound, Conflict, PermissionDenied, TransitionNotAllowed
from cases.models import OPEN_STATUSES, TRANSFERRED_KINDS, CaseStatus, Role, Unit
from cases.permissions import has_role, reporter_may_reveal, users_with_role_on
from cases.upload_checks import PREVIEWABLE_TYPES
from cases.selectors import (
    case_available_transitions,
    case_events,
    case_get_for_user,
    case_list_for_user,
    handover_units,
    routing_propose_unit,
)
from cases.services import (
    case_acknowledge,
    case_assign,
    case_extend,
    case_instruct,
    case_keep_closed,
    case_merge,
    case_note_refuse_unless_allowed,
    case_orient,
    case_pull_up,
    case_reassign,
    case_reject,
    case_reopen,
    case_reporter_notified,
    case_resolve,
    case_transfer,
    case_verify,
    reporter_pseudonym,
    reporter_reveal,
    reporter_reveal_shown,
)
from ledger.selectors import case_anchoring, case_inclusion_proof
from reports.models import OversightRead
from reports.oversight import oversight_read_record
from workflow.engine import case_directing_units
from workflow.progress import case_progress
from workflow.queues import task_queue_for_user
from workflow.selectors import case_clocks
from workflow.task_services import step_roles, task_give, task_take

from ..forms import ASSIGNEE_ROLES, MOVE_FORMS, GiveTaskForm, NoteForm, RevealForm, assignee_choices
from ..ui import forbidden, not_found, person_label
from .intake import SECRET_SESSION_KEY


def _case(request, code):
    return case_get_for_user(user=request.user, code=code)


def case_view(view):
    """The view gets the URL's case in place of its code: only a case this person may see; any other
    code answers 404, like a missing one."""

    @functools.wraps(view)
    def with_case(request, code, **kwargs):
        try:
            case = _case(request, code)
        except CaseNotFound:
            return not_found(request)
        return view(request, case, **kwargs)

    return with_case


def _open_tasks(user, case):
    """Open tasks of this case in the queues this person sees."""
    return list(task_queue_for_user(user=user).filter(process__artifact_object_id=case.pk))


def _move_form(name, user, case, data=None, files=None):
    kwargs = {"user": user, "case": case, "files": files}
    if name == "assign":
        kwargs["proposed_unit"] = routing_propose_unit(case=case) or case.owner
    elif name == "reassign":
        kwargs["proposed_unit"] = case.owner
    return MOVE_FORMS[name](data, prefix=name, **kwargs)


def _reports(case):
    """Every report of the matter, as pseudonyms: "Người phản ánh #N" (anonymous ones say so)."""
    rows = case.reports.select_related("channel", "via_case").order_by("received_at", "pk")
    return [
        {"pseudonym": reporter_pseudonym(number), "anonymous": row.reporter_id is None, "channel": row.channel,
         "received_at": row.received_at, "via_case": row.via_case}
        for number, row in enumerate(rows, start=1)
    ]


def _merge_suggestions(user, case):
    """Open cases of the same locality, for the merge form (the person picks one)."""
    if case.status not in ("received", "verified"):
        return []
    others = case_list_for_user(user=user, filters={"locality": case.locality.code}).filter(
        status__in=OPEN_STATUSES
    ).exclude(pk=case.pk)
    return list(others[:10])


# The usual next step first, the exceptional ones (merge, reject) last; a direction's moves in the order
# DESIGN.md gives them (pull up, reassign, extend, instruct).
MOVE_ORDER = ["verify", "transfer", "reporter_notified", "assign", "acknowledge", "orient", "resolve", "reopen",
              "keep_closed", "pull_up", "reassign", "extend", "instruct", "merge", "reject"]
# A complaint or denunciation goes to the competent agency: that is its usual next step, before verifying.
TRANSFER_FIRST = ["transfer"] + [name for name in MOVE_ORDER if name != "transfer"]


def _ordered_moves(case, names):
    order = TRANSFER_FIRST if case.kind in TRANSFERRED_KINDS else MOVE_ORDER
    return sorted(names, key=lambda name: order.index(name) if name in order else len(order))


def _may_note(user, case) -> bool:
    try:
        case_note_refuse_unless_allowed(case=case, by=user)
    except PermissionDenied:
        return False
    return True


def _latest_instruction(events):
    """The instruction still waiting for the owner's acknowledgement (the last one given)."""
    return next((event for event in reversed(events) if event.action == CaseAction.INSTRUCT), None)


def render_case(request, case, *, forms=None, open_form=None, revealed=None, reveal_form=None, note_form=None,
                error=None, status=200):
    """The case page; `forms` carries a bound form with its errors after a refused POST."""
    forms = dict(forms or {})
    moves = _ordered_moves(case, case_available_transitions(case=case, user=request.user))
    for name in moves:
        forms.setdefault(name, _move_form(name, request.user, case))
    tasks = _open_tasks(request.user, case)
    task_rows = []
    for task in tasks:
        unit = Unit.objects.filter(pk=task.owner_permission_obj_pk).first()
        may_take = task.owner_id is None and unit is not None and has_role(request.user, unit, *step_roles(task))
        give_form = None
        if unit is not None and has_role(request.user, unit, Role.LEADER):
            give_form = GiveTaskForm(people=users_with_role_on(unit=unit, roles=step_roles(task)))
        task_rows.append({"task": task, "unit": unit, "may_take": may_take, "give_form": give_form})
    secrets = request.session.pop(SECRET_SESSION_KEY, None) or {}
    may_reveal = reporter_may_reveal(user=request.user, case=case)
    events = list(case_events(case=case))
    context = {
        "case": case,
        "progress": case_progress(case),
        "directing_units": case_directing_units(case) if case.is_open else [],
        "instruction": _latest_instruction(events) if case.instruction_pending else None,
        # A resident's "not fixed" waits for the leader only while the case stands resolved.
        "decision_pending": case.reopen_requested and case.status == CaseStatus.RESOLVED,
        "clocks": case_clocks(case=case),
        "events": events,
        "moves": [(name, forms[name]) for name in moves],
        "open_form": open_form,
        "tasks": task_rows,
        "reports": _reports(case),
        "attachments": list(case.attachments.select_related("event").order_by("uploaded_at", "pk")),
        "merged_cases": [c for c in case_list_for_user(user=request.user).filter(merged_into=case)],
        "merge_suggestions": _merge_suggestions(request.user, case) if "merge" in moves else [],
        "may_reveal": may_reveal,
        "reveal_form": reveal_form or (RevealForm() if may_reveal else None),
        "revealed": revealed,
        "new_secret": secrets.get(case.code),
        "note_form": note_form or (NoteForm() if _may_note(request.user, case) else None),
        "error": error,
    }
    return render(request, "web/case_detail.html", context, status=status)


@login_required
@require_GET
@case_view
def case_detail(request, case):
    oversight_read_record(user=request.user, kind=OversightRead.CASE_PAGE, case=case)
    revealed = None
    if "revealed" in request.GET:
        revealed = reporter_reveal_shown(case=case, by=request.user, seq=request.GET["revealed"])
    return render_case(request, case, revealed=revealed)


def _perform(name, case, by, data):
    """Call the move's service with the form's cleaned data."""
    if name == "verify":
        return case_verify(case=case, by=by, topic=data["topic"], locality=data["locality"],
                           priority=data["priority"], note=data["note"])
    if name == "reject":
        return case_reject(case=case, by=by, reason=data["reason"])
    if name == "merge":
        return case_merge(case=case, into=data["into_case"], by=by, note=data["note"])
    if name == "assign":
        return case_assign(case=case, by=by, unit=data["unit"], assignee=data["assignee"], note=data["note"])
    if name == "reassign":
        return case_reassign(case=case, by=by, unit=data["unit"], assignee=data["assignee"], reason=data["reason"])
    if name == "orient":
        return case_orient(case=case, by=by, response=data["response"], files=data["files"])
    if name == "resolve":
        return case_resolve(case=case, by=by, outcome=data["outcome"], files=data["files"],
                            public_files=data["public_files"])
    if name == "reopen":
        return case_reopen(case=case, by=by, reason=data["reason"])
    if name == "keep_closed":
        return case_keep_closed(case=case, by=by, reason=data["reason"])
    if name == "transfer":
        return case_transfer(case=case, by=by, agency=data["agency"], legal_basis=data["legal_basis"],
                             note=data["note"])
    if name == "reporter_notified":
        return case_reporter_notified(case=case, by=by, how=data["how"], notified_at=data.get("notified_at"),
                                      note=data["note"])
    if name == "pull_up":
        return case_pull_up(case=case, by=by, reason=data["reason"])
    if name == "instruct":
        return case_instruct(case=case, by=by, instruction=data["instruction"])
    if name == "acknowledge":
        return case_acknowledge(case=case, by=by, note=data["note"])
    if name == "extend":
        return case_extend(case=case, by=by, new_due=data["new_due"], decision_ref=data["decision_ref"],
                           reason=data["reason"])
    raise ValueError(name)


# Lazy: read when the message is shown, in the person's language (not at import).
DONE_MESSAGES = {
    "verify": gettext_lazy("Đã xác minh vụ việc."),
    "reject": gettext_lazy("Đã chuyển vụ việc sang không thụ lý."),
    "merge": gettext_lazy("Đã gộp vụ việc."),
    "assign": gettext_lazy("Đã giao xử lý."),
    "reassign": gettext_lazy("Đã giao lại cho đơn vị khác."),
    "orient": gettext_lazy("Đã ghi nội dung định hướng, trả lời."),
    "resolve": gettext_lazy("Đã ghi kết quả giải quyết."),
    "reopen": gettext_lazy("Đã mở lại vụ việc."),
    "keep_closed": gettext_lazy("Đã giữ kết quả giải quyết; lý do được hiển thị cho người phản ánh."),
    "transfer": gettext_lazy("Đã chuyển đơn đến cơ quan có thẩm quyền; cần báo cho người phản ánh."),
    "reporter_notified": gettext_lazy("Đã ghi nhận việc báo cho người phản ánh; vụ việc kết thúc."),
    "pull_up": gettext_lazy("Đã rút vụ việc lên đơn vị của bạn xử lý."),
    "instruct": gettext_lazy("Đã gửi chỉ đạo đến đơn vị xử lý."),
    "acknowledge": gettext_lazy("Đã tiếp thu chỉ đạo."),
    "extend": gettext_lazy("Đã gia hạn."),
}


@login_required
@require_POST
@case_view
def case_move(request, case, name):
    """Make one move; a refusal re-renders the page with the reason and changes nothing."""
    code = case.code
    if name not in MOVE_FORMS:
        return not_found(request)
    if name not in case_available_transitions(case=case, user=request.user):
        # Not this person's move, or no longer legal (someone else moved the case first).
        return render_case(request, case, error=_("Không thực hiện được: %(reason)s") % {
            "reason": _("thao tác này không còn phù hợp với trạng thái hiện tại của vụ việc hoặc với vai trò của bạn."),
        }, status=409)
    form = _move_form(name, request.user, case, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return render_case(request, case, forms={name: form}, open_form=name, status=400)
    data = dict(form.cleaned_data)
    if data.get("version") is not None:
        # The version the person saw: if someone changed the case since, the service answers Conflict.
        case.version = data["version"]
    try:
        if name == "merge":
            try:
                data["into_case"] = case_get_for_user(user=request.user, code=data["into"].strip().upper())
            except CaseNotFound:
                raise ValidationError({"into": _("Không tìm thấy vụ việc này.")}) from None
        _perform(name, case, request.user, data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
            form.add_error(field if field in form.fields else None, errors)
        return render_case(request, _case(request, code), forms={name: form}, open_form=name, status=400)
    except (TransitionNotAllowed, Conflict, PermissionDenied) as exc:
        status = 403 if isinstance(exc, PermissionDenied) else 409
        fresh = _reload(request, code)
        if fresh is None:
            return not_found(request)
        return render_case(request, fresh, error=_("Không thực hiện được: %(reason)s") % {"reason": exc.message},
                           status=status)
    messages.success(request, DONE_MESSAGES[name])
    # After a merge the case may still be visible (merged cases keep their history).
    if name == "merge":
        return redirect("web:case", code=data["into_case"].code)
    fresh = _reload(request, code)
    return redirect("web:case", code=code) if fresh is not None else redirect("web:queue")


def _reload(request, code):
    try:
        return _case(request, code)
    except CaseNotFound:
        return None


@login_required
@require_POST
@case_view
def case_reveal(request, case):
    """The identity vault: a reason, then the contact shown once (the look is recorded in the history)."""
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render_case(request, case, reveal_form=form, status=400)
    try:
        revealed = reporter_reveal(case=case, by=request.user, reason=form.cleaned_data["reason"])
    except PermissionDenied as exc:
        return forbidden(request, exc.message)
    except ValidationError as exc:
        form.add_error("reason", exc.messages)
        return render_case(request, case, reveal_form=form, status=400)
    del revealed  # shown by the page this redirects to, so a reload never posts the reveal again
    seq = _case(request, case.code).event_count  # the reveal's own event
    return redirect(f"{reverse('web:case', args=[case.code])}?revealed={seq}#reporter")


@login_required
@require_GET
@case_view
def attachment_download(request, case, attachment_id):
    """A file of a case this person may see; any other answers 404 like a missing one."""
    attachment = case.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        return not_found(request, _("Không tìm thấy tệp đính kèm."))
    # An image or a PDF may open in the browser (its type was sniffed at upload); anything else downloads.
    inline = "inline" in request.GET and attachment.content_type in PREVIEWABLE_TYPES
    response = FileResponse(attachment.file.open("rb"), as_attachment=not inline, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def _task(request, case, task_id):
    return task_queue_for_user(user=request.user).filter(pk=task_id, process__artifact_object_id=case.pk).first()


@login_required
@require_POST
@case_view
def task_take_view(request, case, task_id):
    task = _task(request, case, task_id)
    if task is None:
        return not_found(request, _("Không tìm thấy nhiệm vụ."))
    try:
        task_take(task=task, by=request.user)
    except CaseError as exc:
        messages.error(request, _("Không thực hiện được: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Bạn đã nhận nhiệm vụ."))
    return redirect("web:case", code=case.code)


@login_required
@require_POST
@case_view
def task_give_view(request, case, task_id):
    task = _task(request, case, task_id)
    if task is None:
        return not_found(request, _("Không tìm thấy nhiệm vụ."))
    unit = Unit.objects.filter(pk=task.owner_permission_obj_pk).first()
    form = GiveTaskForm(request.POST, people=users_with_role_on(unit=unit, roles=step_roles(task)))
    if not form.is_valid():
        messages.error(request, _("Chọn người được giao."))
        return redirect("web:case", code=case.code)
    try:
        task_give(task=task, to=form.cleaned_data["to"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except CaseError as exc:
        messages.error(request, _("Không thực hiện được: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(request, _("Đã giao nhiệm vụ cho %(name)s.") % {"name": person_label(form.cleaned_data["to"])})
    return redirect("web:case", code=case.code)


@login_required
@require_GET
@case_view
def case_audit(request, case):
    """The case's full history with its hashes, and the chain check run now."""
    oversight_read_record(user=request.user, kind=OversightRead.CASE_HISTORY, case=case)
    checkpoint, anchored = case_anchoring(case=case)
    return render(request, "web/case_audit.html", {
        "case": case,
        "events": list(case_events(case=case)),
        "result": audit_verify(case_ids=[case.pk]),
        "checkpoint": checkpoint,
        "anchored": anchored,
    })


@login_required
@require_GET
@case_view
def case_audit_proof(request, case):
    """The case's events with their inclusion proofs against the newest signed checkpoint, as a JSON file that
    docs/verify_case_proof.py checks with nothing but the public key."""
    proof = case_inclusion_proof(case=case)
    if proof is None:
        return not_found(request, _("Chưa có điểm neo lịch sử nào: chưa có bằng chứng để tải."))
    oversight_read_record(user=request.user, kind=OversightRead.CASE_PROOF, case=case)
    response = JsonResponse(proof, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{case.code}-proof.json"'
    return response


@login_required
@require_GET
def assignee_options(request):
    """People of a unit who may be handed the case (htmx, for the assign and reassign forms)."""
    units = {u.code: u for u in handover_units(user=request.user)}
    # The select is named after its form's prefix ("assign-unit", "reassign-unit").
    code = next((value for key, value in request.GET.items() if key.endswith("unit")), "")
    unit = units.get(code)
    people = users_with_role_on(unit=unit, roles=ASSIGNEE_ROLES) if unit else []
    return render(request, "web/_options.html", {"choices": assignee_choices(people)})

"""Reads of reports: what a person may see, one report's content, the parent tier's side-by-side
and consolidated view, due-date alerts for a person's units, export jobs.

A report the person may not read looks exactly like a missing one.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.models import Role, Unit, UnitKind
from cases.permissions import user_grants
from collaborators.models import Subject, SubjectStatus

from .exceptions import ReportNotFound
from .figures import report_figures
from .models import ExportJob, Report, ReportAlert, ReportStatus, ReportVersion
from .permissions import ABOVE_READER_ROLES, SUBTREE_READER_ROLES, WRITER_ROLES, may_read_report
from .situation import with_redactions


def report_list_for_user(*, user, filters: dict | None = None) -> QuerySet[Report]:
    """Reports this person may read, newest period first.

    Filters (optional): unit (code, exactly that unit), kind, status, period_start (a date in the period).
    """
    grants = user_grants(user)
    scope = Q(pk__in=[])
    writer_units = sorted({g.unit_id for g in grants if g.role in WRITER_ROLES})
    if writer_units:
        scope |= Q(unit_id__in=writer_units)
    submitted = Q(pk__in=[])
    for grant in grants:
        if grant.role in SUBTREE_READER_ROLES:
            submitted |= Q(unit__path__startswith=grant.path)
        if grant.role in ABOVE_READER_ROLES:
            submitted |= Q(unit__path__startswith=grant.path) & ~Q(unit__path=grant.path)
    scope |= Q(status=ReportStatus.SUBMITTED) & submitted
    reports = Report.objects.filter(scope).select_related("unit", "submitted_by")
    filters = filters or {}
    if unit := filters.get("unit"):
        reports = reports.filter(unit__code=unit)
    if kind := filters.get("kind"):
        reports = reports.filter(kind=kind)
    if status := filters.get("status"):
        reports = reports.filter(status=status)
    if day := filters.get("period_start"):
        reports = reports.filter(period_start__lte=day, period_end__gte=day)
    return reports.order_by("-period_start", "unit__path", "-pk")


def report_get_for_user(*, user, pk) -> Report:
    """One report, or ReportNotFound when it is missing or out of reach."""
    try:
        report = Report.objects.select_related("unit", "created_by", "submitted_by").get(pk=int(pk))
    except (Report.DoesNotExist, TypeError, ValueError, OverflowError):
        raise ReportNotFound() from None
    if not may_read_report(user, report):
        raise ReportNotFound()
    return report


def report_versions(*, report: Report) -> QuerySet[ReportVersion]:
    return report.versions.select_related("submitted_by").order_by("number")


def report_version(*, report: Report, number: int | None = None) -> ReportVersion | None:
    versions = report.versions.select_related("submitted_by")
    if number is None:
        return versions.order_by("-number").first()
    return versions.filter(number=number).first()


def report_current_figures(*, report: Report, number: int | None = None) -> dict:
    """A draft's live figures, or a sent report's frozen ones (the newest version unless `number`)."""
    if report.is_draft:
        return report_figures(unit=report.unit, kind=report.kind, start=report.period_start, end=report.period_end,
                              subject_id=report.subject_id)
    version = report_version(report=report, number=number)
    if version is None:
        raise ReportNotFound()
    if "opinion" in version.figures:  # a note redacted since is shown redacted here too
        return {**version.figures, "opinion": with_redactions(version.figures["opinion"])}
    return version.figures


# --- the parent tier --------------------------------------------------------------


def expected_reporting_units() -> QuerySet[Unit]:
    """Committees (cấp ủy) below the top of the tree: each sends periodic reports to its parent."""
    return Unit.objects.filter(is_active=True, kind=UnitKind.COMMITTEE, depth__gt=1).order_by("path")


def child_reporting_units(*, unit: Unit) -> QuerySet[Unit]:
    """The reporting units directly below `unit` (its communes, for a province)."""
    return expected_reporting_units().filter(path__startswith=unit.path, depth=unit.depth + 1)


@dataclass
class ChildRow:
    unit: Unit
    report: Report | None
    figures: dict | None
    alerts: list = field(default_factory=list)

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.status == ReportStatus.SUBMITTED

    @property
    def late(self) -> bool:
        """Not sent by its due date (or sent after it)."""
        if self.report is None:
            return False
        sent_at = self.report.submitted_at or timezone.now()
        return sent_at > self.report.due_at


def children_side_by_side(*, unit: Unit, kind: str, period_start) -> list[ChildRow]:
    """Each child unit's report of the period (newest version), or its absence; the caller checked access."""
    children = list(child_reporting_units(unit=unit))
    reports = {
        r.unit_id: r for r in Report.objects.filter(unit__in=children, kind=kind, period_start=period_start)
        .select_related("unit", "submitted_by")
    }
    versions = {}
    for version in ReportVersion.objects.filter(report__in=[r for r in reports.values() if not r.is_draft]).order_by("number"):
        versions[version.report_id] = version  # the newest wins
    alerts = {}
    for alert in ReportAlert.objects.filter(unit__in=children, kind=kind, period_start=period_start):
        alerts.setdefault(alert.unit_id, []).append(alert)
    rows = []
    for child in children:
        report = reports.get(child.pk)
        version = versions.get(report.pk) if report else None
        rows.append(ChildRow(unit=child, report=report, figures=version.figures if version else None,
                             alerts=alerts.get(child.pk, [])))
    return rows


def _merge_counts(groups: list[list[dict]]) -> list[dict]:
    merged: dict[str, dict] = {}
    for group in groups:
        for row in group:
            slot = merged.setdefault(row["code"], {"code": row["code"], "name": row["name"], "n": 0})
            slot["n"] += row["n"]
    return sorted(merged.values(), key=lambda row: (-row["n"], row["name"]))


def consolidate(figures_list: list[dict]) -> dict:
    """The sum of the children's frozen figures (only sent reports count)."""
    on_time_keys = ("resolved", "on_time", "late", "then_reopened", "open_overdue")
    on_time = {key: sum(f["on_time"][key] for f in figures_list) for key in on_time_keys}
    denominator = on_time["resolved"] + on_time["open_overdue"]
    on_time["rate"] = round(on_time["on_time"] / denominator, 4) if denominator else None
    status_order = [row["code"] for row in figures_list[0]["by_status"]] if figures_list else []
    by_status = {row["code"]: row for row in _merge_counts([f["by_status"] for f in figures_list])}
    return {
        "reports": len(figures_list),
        "received": sum(f["received"] for f in figures_list),
        "resolved_in_period": sum(f["resolved_in_period"] for f in figures_list),
        "reopened": sum(f["reopened"] for f in figures_list),
        "overdue": {"count": sum(f["overdue"]["count"] for f in figures_list)},
        "escalations": {"count": sum(f["escalations"]["count"] for f in figures_list)},
        "on_time": on_time,
        "by_topic": _merge_counts([f["by_topic"] for f in figures_list]),
        "by_status": [by_status[code] for code in status_order if code in by_status],
        "by_locality": _merge_counts([f["by_locality"] for f in figures_list]),
        "by_channel": _merge_counts([f["by_channel"] for f in figures_list]),
        "emerging": [signal for f in figures_list for signal in f.get("emerging", [])],
    }


# --- alerts -------------------------------------------------------------------------


def alerts_for_user(*, user) -> QuerySet[ReportAlert]:
    """Open reminders for units whose reports this person writes, and escalations for the units they lead."""
    grants = user_grants(user)
    writer_units = {g.unit_id for g in grants if g.role in WRITER_ROLES}
    leader_units = {g.unit_id for g in grants if g.role in (Role.LEADER, Role.SECRETARIAT)}
    supervisor_paths = [g.path for g in grants if g.role == Role.SUPERVISOR]
    escalated_to = Q(to_unit_id__in=leader_units)
    for path in supervisor_paths:
        escalated_to |= Q(to_unit__path__startswith=path)
    scope = (Q(action=ReportAlert.Action.REMIND, unit_id__in=writer_units)
             | Q(action=ReportAlert.Action.ESCALATE) & escalated_to)
    return (ReportAlert.objects.filter(scope, resolved_at__isnull=True)
            .select_related("unit", "to_unit").order_by("-due_at", "unit__path"))


# --- units a person works with ---------------------------------------------------------


def units_writable_by(*, user) -> QuerySet[Unit]:
    return Unit.objects.filter(pk__in={g.unit_id for g in user_grants(user) if g.role in WRITER_ROLES}).order_by("path")


def subjects_for_rapid_report(*, user) -> QuerySet[Subject]:
    """Followed subjects of the units this person writes reports for, of the units below and above them."""
    scope = Q(pk__in=[])
    for grant in user_grants(user):
        if grant.role in WRITER_ROLES:
            above = [grant.path[:i] for i in range(Unit.steplen, len(grant.path) + 1, Unit.steplen)]
            scope |= Q(unit__path__startswith=grant.path) | Q(unit__path__in=above)
    return Subject.objects.filter(scope, status=SubjectStatus.FOLLOWED).order_by("-opened_at")


def units_overseen_by(*, user) -> QuerySet[Unit]:
    """Units whose children's reports this person reads side by side (units they hold any reader role on)."""
    roles = set(WRITER_ROLES) | ABOVE_READER_ROLES | SUBTREE_READER_ROLES
    ids = {g.unit_id for g in user_grants(user) if g.role in roles}
    return Unit.objects.filter(pk__in=ids).order_by("path")


def export_jobs_for_user(*, user) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-pk")


def export_job_get_for_user(*, user, uid) -> ExportJob | None:
    return ExportJob.objects.filter(user=user, uid=uid).first()

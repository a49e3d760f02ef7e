"""Emerging issues: a topic × locality whose count this week is unusually high for it.

For each pair, the count of cases received in the last 7 days is compared
with its own 8 previous 7-day windows. Under "nothing changed", this week's
count is Poisson with the mean of those 8 weeks; the pair is flagged when
seeing this many or more would be rarer than 1 in 100 (upper tail p < 0.01)
and it is at least 3 cases. The mean is floored at 0.5 a week so a pair
never seen before needs 4 cases to flag, not 1. Only counts are read: one
grouped query, no case and no person leaves the database.

Only cases the reader may see are counted: the person's own scope
(`cases.selectors.case_list_for_user`) on the screens, or, for a unit's
report, the cases owned within the unit's subtree (as the report's other
figures). A locality's cases handled by another unit are that unit's to see.
See docs/reports.md.
"""

import math
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Case as Choose
from django.db.models import Count, IntegerField, Value, When
from django.utils import timezone

from cases.models import Case, CaseStatus, Topic, Unit
from cases.selectors import case_list_for_user

WINDOW = timedelta(days=7)
BASELINE_WEEKS = 8
P_THRESHOLD = 0.01
MIN_COUNT = 3
MEAN_FLOOR = 0.5


def poisson_upper_tail(k: int, mean: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mean), summed from k upwards (exact enough far in the tail)."""
    if k <= 0:
        return 1.0
    if mean <= 0:
        return 0.0
    log_term = -mean + k * math.log(mean) - math.lgamma(k + 1)
    total, i = 0.0, k
    while True:
        term = math.exp(log_term)
        total += term
        i += 1
        log_term += math.log(mean) - math.log(i)
        if term < 1e-17 * max(total, 1e-300) and i > mean:
            break
        if i > k + 10_000:
            break
    return min(total, 1.0)


def series_test(series) -> tuple[float, float] | None:
    """The signal's test on one series of weekly counts (baseline weeks oldest first, then this week):
    (baseline mean, p-value) when this week is flagged, else None. Any count of weekly windows uses it
    (the collaborators' subjects × localities too)."""
    current, baseline_weeks = series[-1], series[:-1]
    if current < MIN_COUNT:
        return None
    mean = sum(baseline_weeks) / len(baseline_weeks)
    p_value = poisson_upper_tail(current, max(mean, MEAN_FLOOR))
    return (mean, p_value) if p_value < P_THRESHOLD else None


@dataclass(frozen=True)
class Signal:
    topic_code: str
    topic_name: str
    locality_code: str
    locality_name: str
    count: int  # cases received in the last 7 days
    baseline: float  # mean of the 8 weeks before
    p_value: float
    weeks: tuple[int, ...]  # the 8 baseline weeks, oldest first, then this week

    def as_dict(self) -> dict:
        data = asdict(self)
        data["weeks"] = list(self.weeks)
        data["baseline"] = round(self.baseline, 3)
        data["p_value"] = float(f"{self.p_value:.3g}")
        return data

    @property
    def ratio(self) -> float:
        return self.count / max(self.baseline, MEAN_FLOOR)


def weekly_counts(*, unit: Unit, until: datetime, weeks: int = BASELINE_WEEKS + 1,
                  user=None) -> dict[tuple[int, int], list[int]]:
    """{(topic_id, locality_id): [count per 7-day window, oldest first]} for localities in the unit's subtree.

    Counted over the cases `user` may see; with no user, over the cases owned within the unit's subtree.
    """
    since = until - weeks * WINDOW
    windows = [
        When(received_at__gte=until - (weeks - index) * WINDOW, received_at__lt=until - (weeks - index - 1) * WINDOW,
             then=Value(index))
        for index in range(weeks)
    ]
    rows = (
        _visible(unit=unit, user=user)
        .filter(locality__path__startswith=unit.path, received_at__gte=since, received_at__lt=until)
        # Rejected cases were not issues (spam, out of scope); merged duplicates are more reports of one.
        .exclude(status=CaseStatus.REJECTED)
        .annotate(window=Choose(*windows, output_field=IntegerField()))
        .values("topic_id", "locality_id", "window").annotate(n=Count("*")).order_by()
    )
    counts: dict[tuple[int, int], list[int]] = {}
    for row in rows:
        counts.setdefault((row["topic_id"], row["locality_id"]), [0] * weeks)[row["window"]] += row["n"]
    return counts


def _visible(*, unit: Unit, user):
    if user is not None:
        return case_list_for_user(user=user).order_by()
    return Case.objects.filter(owner__in=Unit.objects.filter(path__startswith=unit.path).values("pk"))


def emerging_issues(*, unit: Unit, user=None, until: datetime | None = None) -> list[Signal]:
    """Flagged topic × locality pairs of the unit's subtree, strongest first, among the cases `user` may see
    (with no user, the cases owned within the subtree: a unit's report)."""
    until = until or timezone.now()
    flagged = []
    for (topic_id, locality_id), series in weekly_counts(unit=unit, until=until, user=user).items():
        tested = series_test(series)
        if tested is not None:
            flagged.append((topic_id, locality_id, series[-1], *tested, tuple(series)))
    if not flagged:
        return []
    topics = {pk: (code, name) for pk, code, name in
              Topic.objects.filter(pk__in={f[0] for f in flagged}).values_list("pk", "code", "name")}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={f[1] for f in flagged}).only("pk", "code", "name")}
    signals = [
        Signal(topic_code=topics[t][0], topic_name=topics[t][1], locality_code=units[u].code,
               locality_name=units[u].name, count=n, baseline=mean, p_value=p, weeks=series)
        for t, u, n, mean, p, series in flagged
    ]
    return sorted(signals, key=lambda s: (s.p_value, -s.count, s.topic_code, s.locality_code))

"""What would close the read misses: the same reads with the proposed changes, on the bench database only.

    python -m bench.experiments [--db dlxh_bench] [--runs 20]

1. The scope's escalation branch as a list of ids instead of a subquery (a
   change to cases/selectors.py `_scope_filter`): times the API list page's
   count and first page both ways.
2. Candidate indexes (created here in the bench database, dropped at the
   end; the real ones belong in a migration of the cases app): a covering
   index for the monthly reports and a trigram index for search.
Prints median milliseconds before and after; nothing in the application changes.
"""

import argparse
import statistics
import time
from datetime import timedelta

from . import DEFAULT_DB, setup_django

INDEXES = {
    "case_received_cover": "CREATE INDEX IF NOT EXISTS bench_exp_case_received_cover ON cases_case "
                           "(received_at) INCLUDE (topic_id, status, owner_id, assigned_by_unit_id)",
    "case_search_trgm": "CREATE INDEX IF NOT EXISTS bench_exp_case_search_trgm ON cases_case "
                        "USING gin (search_text gin_trgm_ops)",
}


def _median_ms(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args(argv)
    if "bench" not in args.db:
        parser.error("creates and drops indexes: the database name must contain 'bench'")
    setup_django(args.db)
    from django.db import connection
    from django.db.models import Count, Q
    from django.utils import timezone

    from cases import selectors
    from cases.models import Case
    from cases.permissions import forget_grants
    from workflow.models import Escalation

    from .run import Bench, Results

    bench = Bench(db=args.db, scale=0, repeat=1, results=Results())
    leader, supervisor, country = bench.leader, bench.supervisor, bench.country
    out = {}

    def listing(user):
        forget_grants(user)
        cases = selectors.case_list_for_user(user=user)
        return cases.order_by().count(), list(cases[:25])

    out["API list page (count + 25 rows), scope as today"] = _median_ms(lambda: listing(leader), args.runs)
    original = selectors._scope_filter

    def scope_with_id_list(user):
        # Same scope; the escalated cases fetched first as ids (a handful), so every branch can use an index.
        scope = original(user)
        if scope is None:
            return None
        led = sorted({g.unit_id for g in selectors.case_grants(user) if g.role == "leader"})
        kept = [child for child in scope.children if not (isinstance(child, tuple) and child[0] == "pk__in")]
        rebuilt = Q(*kept, _connector=scope.connector) if kept else Q(pk__in=[])
        if led:
            ids = list(Escalation.objects.filter(to_unit_id__in=led).values_list("case_id", flat=True))
            rebuilt |= Q(pk__in=ids)
        return rebuilt

    selectors._scope_filter = scope_with_id_list
    try:
        out["API list page (count + 25 rows), escalated ids as a list"] = _median_ms(lambda: listing(leader), args.runs)
    finally:
        selectors._scope_filter = original

    now = timezone.now()
    month_end = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month_start = (month_end - timedelta(days=1)).replace(day=1)

    def monthly(user):
        forget_grants(user)
        return list(selectors.case_list_for_user(user=user, filters={
            "received_after": month_start, "received_before": month_end}).order_by()
            .values("topic_id", "status").annotate(n=Count("*")))

    def search():
        forget_grants(supervisor)
        return list(selectors.case_list_for_user(user=supervisor, filters={"q": "Nước sạch đục"})[:50])

    def reads(label):
        out[f"one-province monthly report, {label}"] = _median_ms(lambda: monthly(supervisor), args.runs)
        out[f"whole-country monthly report, {label}"] = _median_ms(lambda: monthly(country), args.runs)
        out[f"search, {label}"] = _median_ms(search, args.runs)

    reads("today's indexes")
    with connection.cursor() as cur:
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for sql in INDEXES.values():
            began = time.perf_counter()
            cur.execute(sql)
            print(f"{sql.split(' ON ')[0]}: built in {time.perf_counter() - began:.1f} s")
        cur.execute("ANALYZE cases_case")
    try:
        reads("with the candidate indexes")
    finally:
        with connection.cursor() as cur:
            for name in INDEXES:
                cur.execute(f"DROP INDEX IF EXISTS bench_exp_{name}")
    for name, ms in out.items():
        print(f"[exp] {name}: {ms:.2f} ms")
    print(f"cases: {Case.objects.count()}")
    return out


if __name__ == "__main__":
    main()

"""One intake through POST /api/v1/cases/, profiled: the statements it sends and where its Python time goes.

    python -m bench.profile_intake --db dlxh_bench1m [--n 50] [--top 25]

On a benchmark database (bench.generate), in one process, through Django's test
client with the same token header the burst sends (bench.run, section a), with
DEBUG off as in the bench. Warms up, then: the statements of one intake
(CaptureQueriesContext, BEGIN/COMMIT and savepoints included, their time as
Django measures it), the wall and CPU time per intake over `--n` intakes, and a
cProfile of `--n` intakes with CPU time as its timer (the call tree's top entries
by cumulative time below the request's wrappers, and the time by package). Writes cases into the benchmark commune, as the burst does.
"""

import argparse
import cProfile
import json
import pstats
import statistics
import time
from collections import defaultdict
from pathlib import Path

from . import DEFAULT_DB, setup_django

ROOT = Path(__file__).resolve().parent.parent


def _package(filename: str) -> str:
    for marker in ("site-packages/", "lib/python3"):
        if marker in filename:
            tail = filename.split(marker, 1)[1].lstrip("/")
            parts = tail.split("/")
            return parts[0] if marker == "site-packages/" else "python stdlib"
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C: socket, hashing, json…)"
    root = str(ROOT) + "/"
    return filename[len(root):].split("/")[0] if filename.startswith(root) else filename


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--save", help="write the cProfile stats to this file (for pstats / snakeviz)")
    args = parser.parse_args(argv)
    setup_django(args.db)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    from .generate import remembered
    from .run import Bench, Results

    generated = remembered(args.db)["cases"]
    bench = Bench(db=args.db, scale=generated, repeat=1, results=Results(), generated=generated)
    token = AuthToken.objects.create(user=bench.clerk)[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    body = json.dumps({"title": "Nước sạch bị đục kéo dài", "channel": bench.channel.code,
                       "topic": bench.topic.code, "locality": bench.locality.code})

    def one():
        response = client.post("/api/v1/cases/", body, content_type="application/json")
        assert response.status_code == 201, (response.status_code, response.content[:300])
        return response

    for _ in range(5):
        one()
    with CaptureQueriesContext(connection) as captured:
        one()
    queries = captured.captured_queries
    print(f"statements per intake: {len(queries)}, {sum(float(q['time']) for q in queries) * 1000:.1f} ms "
          f"as Django times them")
    for q in queries:
        print(f"  {float(q['time']) * 1000:6.2f} ms  {q['sql'][:150]}")

    times, cpu = [], []
    for _ in range(args.n):
        began, began_cpu = time.perf_counter(), time.process_time()
        one()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    print(f"per intake over {args.n}: wall median {statistics.median(times):.1f} ms (min {min(times):.1f}), "
          f"CPU of this process median {statistics.median(cpu):.1f} ms (min {min(cpu):.1f})")

    # CPU time of this process (the web worker's share), not wall time: waiting on PostgreSQL is not counted.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(args.n):
        one()
    profiler.disable()
    stats = pstats.Stats(profiler)
    if args.save:
        stats.dump_stats(args.save)
    total = stats.total_tt
    print(f"cProfile (CPU time), {args.n} intakes: {total / args.n * 1000:.1f} ms per intake under the profiler")
    by_package = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        by_package[_package(filename)] += tottime
    print("own time by package, per intake:")
    for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:12]:
        print(f"  {seconds / args.n * 1000:6.2f} ms  {seconds / total:5.1%}  {package}")
    # The call tree's top entries below the request's own wrappers (test client, middleware, DRF dispatch):
    # the project's functions and the libraries it calls, by cumulative time.
    print(f"top {args.top} by cumulative time below the middleware and DRF's dispatch, per intake:")
    entries = sorted(
        (item for item in stats.stats.items() if item[1][3] < 0.85 * total and not item[0][0].startswith("<")),
        key=lambda item: -item[1][3],
    )
    for (filename, line, name), (_cc, ncalls, _tt, cumtime, _callers) in entries[:args.top]:
        where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
        print(f"  {cumtime / args.n * 1000:6.2f} ms  {ncalls / args.n:5.1f}×  {where}:{line}({name})")


if __name__ == "__main__":
    main()

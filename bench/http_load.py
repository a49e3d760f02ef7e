"""HTTP under load on loopback: gunicorn (2 sync workers) and wrk, or a small threaded client without wrk.

Also the raw-SQL twin endpoint (`raw_app`): a bare WSGI app that authenticates
the same token, reads the same grants and lists the same 25 newest cases in
scope with psycopg, as JSON; served by gunicorn the same way.
"""

import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn serving `app` with 2 workers; samples the workers' RSS while it runs."""

    def __init__(self, app: str, *, workers: int = 2, env=None):
        self.port = free_port()
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), app, "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "120"],
            cwd=ROOT, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not start")
        self.peak_rss = 0
        self._sampling = True
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self):
        parent = psutil.Process(self.proc.pid)
        while self._sampling:
            try:
                for child in parent.children():
                    self.peak_rss = max(self.peak_rss, child.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.2)

    def stop(self):
        self._sampling = False
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def warm(url: str, headers: dict, n: int = 4) -> int:
    status = 0
    for _ in range(n):
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status = response.status
                response.read()
        except urllib.error.HTTPError as exc:
            status = exc.code
    return status


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def load(url: str, *, headers: dict, seconds: int = 10, connections: int = 8, method: str = "GET",
         body: str | None = None) -> dict:
    """Requests/s, p50 and p99 (ms), and non-2xx count under `connections` concurrent clients."""
    if shutil.which("wrk"):
        return _wrk(url, headers=headers, seconds=seconds, connections=connections, method=method, body=body)
    return _threaded(url, headers=headers, seconds=seconds, connections=connections, method=method, body=body)


def _wrk(url, *, headers, seconds, connections, method, body):
    script = ["wrk.method = %s" % json.dumps(method)]
    for key, value in headers.items():
        script.append(f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}")
    if body is not None:
        script.append(f"wrk.body = {json.dumps(body)}")
    # Count non-2xx answers.
    script.append("errors = 0\nresponse = function(status, headers, body) if status >= 300 then errors = errors + 1 end end")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write("\n".join(script))
        path = handle.name
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "60s", "--latency", "-s",
                              path, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(path)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": rps, "p50_ms": p50, "p99_ms": p99, "requests": total,
            "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0, "tool": "wrk"}


def _request_ok(url, *, headers, method, body) -> bool:
    """One request, read to the end; True for a 2xx answer."""
    request = urllib.request.Request(url, data=body.encode() if body else None, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status < 300
    except Exception:
        return False


def _in_threads(worker, n: int):
    """Run `worker` in `n` threads at once, until every one returns."""
    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _threaded(url, *, headers, seconds, connections, method, body):
    latencies, failures = [], [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker():
        while time.monotonic() < stop:
            began = time.perf_counter()
            ok = _request_ok(url, headers=headers, method=method, body=body)
            elapsed = (time.perf_counter() - began) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += 0 if ok else 1

    began = time.monotonic()
    _in_threads(worker, connections)
    wall = time.monotonic() - began
    latencies.sort()
    return {"rps": len(latencies) / wall, "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1], "requests": len(latencies),
            "non_2xx": failures[0], "socket_errors": 0, "tool": "python threads"}


def paced(url: str, *, headers: dict, rate: float, total: int, method: str = "POST", body: str | None = None,
          threads: int = 32) -> dict:
    """An open-loop burst: request i is due at start + i/rate, whatever the server's pace.

    Latency is counted from when each request was due, so a server that falls
    behind shows it in p99 (a closed loop would only slow the client down).
    """
    latencies, failures = [], [0]
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter() + 0.05

    def worker():
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                return
            due = start + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            ok = _request_ok(url, headers=headers, method=method, body=body)
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += 0 if ok else 1

    _in_threads(worker, threads)
    wall = time.perf_counter() - start
    latencies.sort()
    return {"rps": len(latencies) / wall, "offered_rps": rate, "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)], "max_ms": latencies[-1],
            "requests": len(latencies), "non_2xx": failures[0], "socket_errors": 0, "seconds": wall}


def paced_calls(call, *, rate: float, total: int, threads: int = 32) -> dict:
    """`paced` for any client work: `call(i)` (True when it succeeded) is due at start + i/rate.

    The cluster drill's sessions (an intake, its moves, a read, each retried until answered) run this way;
    latency counts from when each call was due, as in `paced`.
    """
    latencies, failures = [], [0]
    lock = threading.Lock()
    next_index = [0]
    start = time.perf_counter() + 0.05

    def worker():
        while True:
            with lock:
                index = next_index[0]
                next_index[0] += 1
            if index >= total:
                return
            due = start + index / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            ok = call(index)
            elapsed = (time.perf_counter() - due) * 1000
            with lock:
                latencies.append(elapsed)
                failures[0] += 0 if ok else 1

    _in_threads(worker, threads)
    wall = time.perf_counter() - start
    latencies.sort()
    return {"rps": len(latencies) / wall, "offered_rps": rate, "p50_ms": statistics.median(latencies),
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)], "max_ms": latencies[-1],
            "requests": len(latencies), "failed": failures[0], "seconds": wall}

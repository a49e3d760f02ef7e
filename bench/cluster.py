"""The cluster drill: the product on several nodes, killed piece by piece under load (docs/deployment.md).

    python bench/cluster.py            # the CI size: 2 web nodes and 2 workers behind nginx, 60 s, 2 kills
    python bench/cluster.py --full     # + 2 beats, a synchronous streaming replica, 3 kills and a failover
    python bench/cluster.py --full --json var/cluster.json

Needs root (network namespaces), Debian's nginx, redis-server and PostgreSQL's server binaries
(/usr/lib/postgresql/*/bin). Everything runs in network namespaces this command creates, joined by one
bridge inside a namespace of their own, with addresses it assigns (10.77.0.0/24): nothing of the machine's
network is touched and no packet leaves them. The namespaces, their processes and the temporary directory
are removed at the end, also after a failure or Ctrl-C; namespaces a killed earlier run left are removed
at the start.

The processes run the files of deploy/: gunicorn with deploy/gunicorn.conf.py, Celery with the command
lines of deploy/systemd/*.service and deploy/env/celery.env, nginx with deploy/nginx/dlxh-upstream.conf and
dlxh-proxy.conf, PostgreSQL with deploy/postgresql/*.conf, Redis with deploy/redis/dlxh.conf. A paced
load of intakes (with an Idempotency-Key; a client retries with the same key until it gets its answer),
moves and reads goes through nginx while nodes are killed. Afterwards: each acknowledged intake exists
once, every event chain verifies, every outbox message reached the mail sink and the webhook receiver
(counted by message id), every reminder fired once. The table it prints goes into docs/reliability.md.
"""

import argparse
import atexit
import base64
import contextlib
import email
import json
import os
import re
import shlex
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SUBNET = "10.77.0"
PG_PORT, REDIS_PORT, WEB_PORT, HOOK_PORT, SMTP_PORT = 5432, 6379, 8000, 8099, 2525
LIMIT_SECONDS = {"small": 280, "full": 900}  # the whole drill stops by itself after this long


def pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit("needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)")
    return found[-1].parent


def missing_tools() -> list[str]:
    """What this machine lacks to run the drill (empty: it can run)."""
    missing = [tool for tool in ("ip", "nginx", "redis-server", "runuser") if not shutil.which(tool)]
    if not sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup")):
        missing.append("postgresql (server binaries)")
    if os.geteuid() != 0:
        missing.append("root (network namespaces)")
    return missing


# --- the network: namespaces joined by a bridge in a namespace of its own ------------------------------


def ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


class Network:
    """Namespaces `dlxh-<pid>-<node>`, each with eth0 on one bridge (in `dlxh-<pid>-hub`) and lo up."""

    def __init__(self, nodes: list[str]):
        self.tag = f"dlxh-{os.getpid()}"
        self.nodes = nodes
        self.address = {node: f"{SUBNET}.{10 + index}" for index, node in enumerate(nodes)}
        self.created: list[str] = []

    def ns(self, node: str) -> str:
        return f"{self.tag}-{node}"

    def create(self):
        hub = self.ns("hub")
        self._add(hub)
        ip("-n", hub, "link", "add", "br0", "type", "bridge")
        ip("-n", hub, "link", "set", "br0", "up")
        for index, node in enumerate(self.nodes):
            name = self.ns(node)
            self._add(name)
            ip("-n", hub, "link", "add", f"v{index}", "type", "veth", "peer", "name", "eth0", "netns", name)
            ip("-n", hub, "link", "set", f"v{index}", "master", "br0", "up")
            ip("-n", name, "addr", "add", f"{self.address[node]}/24", "dev", "eth0")
            ip("-n", name, "link", "set", "eth0", "up")
            ip("-n", name, "link", "set", "lo", "up")

    def _add(self, name):
        ip("netns", "add", name)
        self.created.append(name)

    def destroy(self):
        for name in reversed(self.created):
            remove_namespace(name)
        self.created = []


def namespace_pids(name: str) -> list[int]:
    return [int(pid) for pid in ip("netns", "pids", name, check=False).stdout.split()]


def kill_namespace(name: str) -> int:
    """SIGKILL every process of a namespace: the node is gone, as after a power cut."""
    pids = namespace_pids(name)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def remove_namespace(name: str):
    for _ in range(5):
        if not kill_namespace(name):
            break
        time.sleep(0.3)
    ip("netns", "del", name, check=False)


def remove_stale_namespaces():
    """Namespaces and temporary directories of an earlier drill whose process is gone (killed, say)."""
    for line in ip("netns", "list", check=False).stdout.splitlines():
        match = re.match(r"(dlxh-(\d+)-\S+)", line)
        if match and not Path(f"/proc/{match.group(2)}").exists():
            remove_namespace(match.group(1))
    for directory in Path(tempfile.gettempdir()).glob("dlxh-cluster-*-*"):
        match = re.match(r"dlxh-cluster-(\d+)-", directory.name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            shutil.rmtree(directory, ignore_errors=True)


# --- the outer process: creates the network, runs the drill inside it, always cleans up ------------------


def outer(args) -> int:
    missing = missing_tools()
    if missing:
        print("cannot run the cluster drill, missing: " + ", ".join(missing), file=sys.stderr)
        return 2
    remove_stale_namespaces()
    size = "full" if args.full else "small"
    nodes = ["ctl", "lb", "web1", "web2", "wk1", "wk2", "bt1", "kv", "db1"]
    if args.full:
        nodes += ["bt2", "db2"]
    net = Network(nodes)
    tmp = Path(tempfile.mkdtemp(prefix=f"dlxh-cluster-{os.getpid()}-"))
    tmp.chmod(0o755)  # PostgreSQL runs as `postgres` under it
    cleaned = []

    def clean_up():
        if cleaned:
            return
        cleaned.append(True)
        net.destroy()
        if args.keep:
            print(f"logs kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    atexit.register(clean_up)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        net.create()
        plan = {"size": size, "tmp": str(tmp), "address": net.address,
                "namespaces": {node: net.ns(node) for node in nodes}, "seconds": args.seconds,
                "rate": args.rate, "json": str(Path(args.json).resolve()) if args.json else ""}
        (tmp / "plan.json").write_text(json.dumps(plan))
        inner_argv = ["ip", "netns", "exec", net.ns("ctl"), sys.executable, str(Path(__file__).resolve()),
                      "--inside", str(tmp / "plan.json")]
        try:
            return subprocess.run(inner_argv, cwd=ROOT, timeout=LIMIT_SECONDS[size]).returncode
        except subprocess.TimeoutExpired:
            print(f"the drill did not finish within {LIMIT_SECONDS[size]} s; stopped", file=sys.stderr)
            return 3
    finally:
        clean_up()


# --- receivers: a mail sink and a webhook receiver that count message ids ------------------------------


class Sink:
    def __init__(self):
        self.lock = threading.Lock()
        self.email_ids: list[str] = []
        self.webhook_ids: list[str] = []

    def add(self, kind, message_id):
        with self.lock:
            getattr(self, f"{kind}_ids").append(message_id or "")


class SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: every message accepted, its X-DLXH-Message-Id counted."""

    def handle(self):
        self.wfile.write(b"220 dlxh drill sink\r\n")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 dlxh drill sink\r\n")
            elif verb == b"DATA":
                self.wfile.write(b"354 end with .\r\n")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                message = email.message_from_bytes(b"".join(data))
                self.server.sink.add("email", message.get("X-DLXH-Message-Id"))
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.wfile.write(b"250 ok\r\n")


class SMTPSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, sink):
        super().__init__(address, SMTPHandler)
        self.sink = sink


# --- the inner process: runs in the namespace `ctl` --------------------------------------------------------


class Drill:
    def __init__(self, plan: dict):
        self.plan = plan
        self.full = plan["size"] == "full"
        self.tmp = Path(plan["tmp"])
        self.addr = plan["address"]
        self.ns = plan["namespaces"]
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.pg = pg_bin()
        self.processes: dict[str, subprocess.Popen] = {}
        self.stopped: set[str] = set()  # processes the drill stopped on purpose
        self.faults: list[dict] = []
        self.memory: dict[str, dict] = {}
        self.began = time.monotonic()

    def say(self, text):
        print(f"[{time.monotonic() - self.began:6.1f} s] {text}", flush=True)

    # --- starting things in their namespaces ---

    def in_ns(self, node, argv):
        return ["ip", "netns", "exec", self.ns[node], *argv]

    def start(self, name, node, argv, env=None):
        log = open(self.logs / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(self.in_ns(node, argv), cwd=ROOT, env=env or os.environ.copy(),
                                                stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def as_postgres(self, node, *argv, check=True):
        return subprocess.run(self.in_ns(node, ["runuser", "-u", "postgres", "--", *argv]), cwd="/", check=check,
                              capture_output=True, text=True)

    def psql(self, node, sql, db="postgres"):
        return self.as_postgres(node, str(self.pg / "psql"), "-h", self.addr[node], "-p", str(PG_PORT), "-U",
                                "postgres", "-d", db, "-tAc", sql).stdout.strip()

    def postgres_conf(self, node, source: str, **overrides) -> str:
        """The file of deploy/postgresql/ as it is, then what differs on this machine (later lines win)."""
        lines = [(DEPLOY / "postgresql" / source).read_text(), "# --- the drill's machine ---"]
        lines += [f"{key} = '{value}'" for key, value in {
            "listen_addresses": self.addr[node], "port": PG_PORT, "max_connections": 100, "shared_buffers": "64MB",
            "wal_keep_size": "256MB", "unix_socket_directories": str(self.tmp / f"pg-{node}"), **overrides,
        }.items()]
        return "\n".join(lines) + "\n"

    def start_postgres(self):
        data = self.tmp / "pg-db1" / "data"
        (self.tmp / "pg-db1").mkdir()
        shutil.chown(self.tmp / "pg-db1", "postgres", "postgres")
        self.as_postgres("db1", str(self.pg / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                         "--encoding=UTF8", "--locale=C.UTF-8")
        conf = self.postgres_conf("db1", "primary.conf", **({} if self.full else {"synchronous_standby_names": ""}))
        (data / "dlxh.conf").write_text(conf)
        with open(data / "postgresql.conf", "a") as handle:
            handle.write("include 'dlxh.conf'\n")
        (data / "pg_hba.conf").write_text(  # deploy/postgresql/pg_hba.conf uses passwords; the drill trusts its subnet
            f"local all all trust\nhost all all {SUBNET}.0/24 trust\nhost replication all {SUBNET}.0/24 trust\n")
        self.as_postgres("db1", str(self.pg / "pg_ctl"), "-D", str(data), "-l", str(self.tmp / "pg-db1" / "log"),
                         "-w", "start")
        if self.full:  # first: from now on every commit on the primary waits for the replica
            self.psql("db1", "SELECT pg_create_physical_replication_slot('dlxh_replica')")
            self.start_replica()
        self.psql("db1", "CREATE ROLE dlxh_app LOGIN")
        self.psql("db1", "CREATE DATABASE dlxh")

    def start_replica(self):
        home = self.tmp / "pg-db2"
        home.mkdir()
        shutil.chown(home, "postgres", "postgres")
        data = home / "data"
        self.as_postgres("db2", str(self.pg / "pg_basebackup"), "-h", self.addr["db1"], "-p", str(PG_PORT), "-U",
                         "postgres", "-D", str(data), "-X", "stream", "--checkpoint=fast")
        conninfo = f"host={self.addr['db1']} port={PG_PORT} user=postgres application_name=dlxh_replica"
        (data / "dlxh.conf").write_text(self.postgres_conf("db2", "replica.conf", primary_conninfo=conninfo))
        (data / "standby.signal").touch()
        shutil.chown(data / "standby.signal", "postgres", "postgres")
        self.as_postgres("db2", str(self.pg / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "start")
        deadline = time.monotonic() + 60
        while self.psql("db1", "SELECT sync_state FROM pg_stat_replication "
                               "WHERE application_name = 'dlxh_replica'") != "sync":
            if time.monotonic() > deadline:
                raise RuntimeError("the replica did not become synchronous")
            time.sleep(0.5)

    def database_url(self, user="dlxh_app"):
        hosts = ",".join(f"{self.addr[node]}:{PG_PORT}" for node in (("db1", "db2") if self.full else ("db1",)))
        return f"postgres://{user}@{hosts}/dlxh?target_session_attrs=read-write&connect_timeout=3"

    def app_env(self, node, **extra) -> dict:
        from bench import BENCH_ENV

        env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_"))}
        env.update(BENCH_ENV)
        env.update(
            # The fault drills' settings: production's, with a dead worker's claim on a delivery lasting seconds.
            DJANGO_SETTINGS_MODULE="tests.reliability.fault_settings",
            DATABASE_URL=self.database_url(),
            REDIS_URL=f"redis://{self.addr['kv']}:{REDIS_PORT}/0",
            EMAIL_URL=f"smtp://{self.addr['ctl']}:{SMTP_PORT}",
            ALLOWED_HOSTS=f"{self.addr['lb']},{self.addr['web1']},{self.addr['web2']}",
            VAR_DIR=str(self.tmp / f"var-{node}"),
            MEDIA_ROOT=str(self.tmp / "media"),  # one directory every node sees, as an NFS mount would be
            AUDIT_SIGNING_KEY=self.signing_key,
            API_THROTTLE_USER="100000000/min",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            # Beat's outbox sweep: more often than production's 60 s, not so often that a queue a few seconds
            # long is queued again and again (each pending message once per interval: with 3 s, the first full run
            # spent its drain on deliveries already sent, answered 'skipped').
            NOTIFICATIONS_REQUEUE_SECONDS="20",
            NOTIFICATIONS_LEASE_SECONDS="8",
            BROKER_VISIBILITY_TIMEOUT="20",
            CLOCKS_SWEEP_SECONDS="3",
            # A day is 30 s: reminders (half-time, a day before) and escalations fall inside the run.
            DLXH_DEMO_CLOCK_SCALE="2880",
        )
        env.update(extra)
        return env

    def unit_argv(self, unit: str, node: str, **values) -> list[str]:
        """The ExecStart of a deploy/systemd unit, with deploy/env/celery.env, as systemd would run it here."""
        text = (DEPLOY / "systemd" / unit).read_text()
        command = re.search(r"^ExecStart=(.+)$", text, re.M).group(1)
        env = dict(re.findall(r"^([A-Z_]+)=(.*)$", (DEPLOY / "env" / "celery.env").read_text(), re.M))
        env.update(values)
        command = command.replace("/srv/dlxh/.venv/bin/", str(Path(sys.executable).parent) + "/")
        command = command.replace("/srv/dlxh/", str(ROOT) + "/").replace("%H", node)
        command = re.sub(r"\$\{(\w+)\}", lambda m: shlex.quote(env[m.group(1)]), command)
        command = re.sub(r"\$(\w+)", lambda m: env[m.group(1)], command)
        return shlex.split(command)

    def start_nginx(self, web_nodes):
        prefix = self.tmp / "nginx"
        (prefix / "conf" / "dlxh").mkdir(parents=True)
        (prefix / "logs").mkdir()
        upstream = (DEPLOY / "nginx" / "dlxh-upstream.conf").read_text()
        servers = re.findall(r"^\s*server \S+ (.*);$", upstream, re.M)
        lines = [f"    server {self.addr[node]}:{WEB_PORT} {servers[0]};" for node in web_nodes]
        upstream = re.sub(r"(^\s*server \S+ .*;\n)+", "\n".join(lines) + "\n", upstream, flags=re.M)
        (prefix / "conf" / "dlxh" / "dlxh-upstream.conf").write_text(upstream)
        shutil.copy(DEPLOY / "nginx" / "dlxh-proxy.conf", prefix / "conf" / "dlxh" / "dlxh-proxy.conf")
        (prefix / "conf" / "nginx.conf").write_text(nginx_main_conf(prefix, f"""
    include dlxh/dlxh-upstream.conf;
    server {{
        listen {self.addr['lb']}:80;
        include dlxh/dlxh-proxy.conf;
    }}"""))
        self.start("nginx", "lb", ["nginx", "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf"),
                                   "-g", "daemon off;"])

    def start_cluster(self):
        self.signing_key = base64.b64encode(os.urandom(32)).decode()
        self.say("PostgreSQL" + (" primary and synchronous replica" if self.full else ""))
        self.start_postgres()
        self.start("redis", "kv", ["redis-server", str(DEPLOY / "redis" / "dlxh.conf"), "--bind", self.addr["kv"],
                                   "--port", str(REDIS_PORT), "--dir", str(self.tmp), "--protected-mode", "no",
                                   "--maxmemory", "256mb"])
        self.say("migrating and seeding")
        self.setup_django()
        self.seed()

    def start_nodes(self):
        web_nodes = ("web1", "web2")
        for node in web_nodes:
            self.start(f"web-{node}", node, self.unit_argv("dlxh-web.service", node), self.app_env(
                node, DLXH_WEB_BIND=f"{self.addr[node]}:{WEB_PORT}", DLXH_WEB_WORKERS="2",
                DLXH_WEB_FORWARDED_ALLOW_IPS=self.addr["lb"],
                DLXH_WEB_ACCESS_LOG=str(self.logs / f"access-{node}.log")))
        for node in ("wk1", "wk2"):
            # Two processes a worker node (deploy/env/celery.env says 4): the drill's nodes share two cores.
            self.start(f"worker-{node}", node, self.unit_argv("dlxh-worker.service", node,
                                                              CELERY_WORKER_CONCURRENCY="2"), self.app_env(node))
        for node in ("bt1", "bt2") if self.full else ("bt1",):
            self.start(f"beat-{node}", node, self.unit_argv("dlxh-beat.service", node,
                                                            CELERY_BEAT_SCHEDULE_FILE=str(self.tmp / f"beat-{node}")),
                       self.app_env(node))
        self.start_nginx(web_nodes)
        self.wait(lambda: all(self.http_ok(f"http://{self.addr[node]}:{WEB_PORT}/login/") for node in web_nodes),
                  "the web nodes", 120)
        self.wait(lambda: self.http_ok(f"http://{self.addr['lb']}/health/"), "nginx and a first sweep", 90)
        self.say("cluster up: " + ", ".join(sorted(self.processes)))

    def http_ok(self, url) -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return response.status == 200
        except OSError:
            return False

    def wait(self, condition, what, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            for name, process in self.processes.items():
                if (process.poll() is not None and name not in self.stopped
                        and not any(f["node"] in name for f in self.faults)):
                    raise RuntimeError(f"{name} exited ({process.returncode}) while waiting for {what}; "
                                       f"{self.tail(name)}")
            time.sleep(0.5)
        raise RuntimeError(f"gave up waiting {seconds} s for {what}")

    def tail(self, name) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    # --- Django in this process: migrations, seed data, the checks afterwards ---

    def setup_django(self):
        os.environ.update(self.app_env("ctl",
                                       DATABASE_OWNER_URL=f"postgres://postgres@{self.addr['db1']}:{PG_PORT}/dlxh"))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)

    def seed(self):
        from django.contrib.auth import get_user_model
        from knox.models import AuthToken

        from cases.models import Channel, Role, Tier, Unit, UnitKind
        from cases.services import topic_upsert, unit_role_grant, unit_upsert
        from notifications.models import WebhookEndpoint

        province, _ = unit_upsert(code="P", name="Tỉnh ủy P", tier=Tier.PROVINCE, kind=UnitKind.COMMITTEE, parent=None)
        commune, _ = unit_upsert(code="P-A", name="Đảng ủy xã A", tier=Tier.COMMUNE, kind=UnitKind.COMMITTEE,
                                 parent=province)
        hamlet, _ = unit_upsert(code="P-A-T1", name="Thôn 1 xã A", tier=Tier.GRASSROOTS, kind=UnitKind.HAMLET,
                                parent=commune)
        topic_upsert(code="MT", name="Môi trường")
        Channel.objects.get_or_create(code="hotline", defaults={"name": "Đường dây nóng"})
        self.tokens = {}
        for username, role, unit in (("clerk", Role.INTAKE_CLERK, commune), ("leader", Role.LEADER, commune),
                                     ("handler", Role.HANDLER, hamlet), ("supervisor", Role.SUPERVISOR, province)):
            user = get_user_model().objects.create_user(username=username, email=f"{username}@example.vn")
            unit_role_grant(user=user, unit=Unit.objects.get(pk=unit.pk), role=role)
            self.tokens[username] = AuthToken.objects.create(user=user, expiry=None)[1]
        WebhookEndpoint.objects.create(name="Cổng tỉnh (diễn tập)", url=f"http://{self.addr['ctl']}:{HOOK_PORT}/hook",
                                       secret="khoa-dien-tap")

    # --- the load and the faults ---

    def run(self):
        from bench.http_load import paced_calls

        sink = Sink()
        smtp = SMTPSink((self.addr["ctl"], SMTP_PORT), sink)
        threading.Thread(target=smtp.serve_forever, daemon=True).start()
        self.start_cluster()
        from tests.workers import webhook_receiver  # needs Django set up

        with webhook_receiver(host=self.addr["ctl"], port=HOOK_PORT) as hook:
            self.start_nodes()
            seconds, rate = self.plan["seconds"], self.plan["rate"]
            schedule = [(0.25, "web", "web1"), (0.5, "worker", "wk1")]
            if self.full:
                schedule = [(0.15, "web", "web1"), (0.3, "worker", "wk1"), (0.45, "beat", "bt1"),
                            (0.6, "database", "db1")]
            stop_faults = threading.Event()
            sampler = threading.Thread(target=self.sample_memory, args=(stop_faults,), daemon=True)
            sampler.start()
            faults = threading.Thread(target=self.inject, args=(schedule, seconds, stop_faults), daemon=True)
            clients = Clients(f"http://{self.addr['lb']}", self.tokens, give_up_after=seconds + 60)
            self.say(f"load: {rate} intakes/s for {seconds} s, each with two moves and a read, through nginx")
            faults.start()
            load = paced_calls(clients.session, rate=rate, total=int(rate * seconds), threads=24)
            stop_faults.set()
            faults.join()
            self.say(f"load done: {load['requests']} sessions, {clients.acknowledged_count()} intakes acknowledged")
            # Time stops for the count: no more reminders come due; the workers deliver what is left.
            for name in [name for name in self.processes if name.startswith("beat-")]:
                self.stopped.add(name)
                if self.processes[name].poll() is None:
                    self.processes[name].terminate()
            self.drain()
            sink.webhook_ids = hook.ids()
            result = self.check(clients, sink, load)
        smtp.shutdown()
        smtp.server_close()
        return result

    def inject(self, schedule, seconds, stop):
        began = time.monotonic()
        for at, kind, node in schedule:
            if stop.wait(max(0.0, began + at * seconds - time.monotonic())):
                return
            if kind == "database":
                self.failover(began)
                continue
            killed = kill_namespace(self.ns[node])
            self.faults.append({"at_s": round(time.monotonic() - began, 1), "kind": kind, "node": node,
                                "processes": killed})
            self.say(f"FAULT: {kind} node {node} killed (SIGKILL to {killed} processes)")

    def failover(self, load_began):
        began = time.monotonic()
        self.faults.append({"at_s": round(began - load_began, 1), "kind": "database", "node": "db1"})
        self.as_postgres("db1", str(self.pg / "pg_ctl"), "-D", str(self.tmp / "pg-db1" / "data"), "-m", "immediate",
                         "stop")
        self.say("FAULT: the primary stopped (immediate); promoting the replica")
        time.sleep(2)  # what a failover manager waits before it decides the primary is gone
        self.as_postgres("db2", str(self.pg / "pg_ctl"), "-D", str(self.tmp / "pg-db2" / "data"), "-w", "promote")
        self.faults[-1]["promoted_after_s"] = round(time.monotonic() - began, 1)
        self.say("the replica is the primary")

    def sample_memory(self, stop):
        import psutil

        while not stop.wait(2):
            for node, kind in (("web2", "gunicorn"), ("wk2", "celery")):
                total_rss = total_pss = 0
                largest = 0
                count = 0
                for pid in namespace_pids(self.ns[node]):
                    with contextlib.suppress(psutil.Error):
                        info = psutil.Process(pid).memory_full_info()
                        total_rss += info.rss
                        total_pss += info.pss
                        largest = max(largest, info.rss)
                        count += 1
                seen = self.memory.setdefault(kind, {"processes": 0, "peak_rss_mb": 0, "peak_pss_mb": 0,
                                                     "largest_process_rss_mb": 0})
                seen["processes"] = max(seen["processes"], count)
                seen["peak_rss_mb"] = max(seen["peak_rss_mb"], round(total_rss / 2**20))
                seen["peak_pss_mb"] = max(seen["peak_pss_mb"], round(total_pss / 2**20))
                seen["largest_process_rss_mb"] = max(seen["largest_process_rss_mb"], round(largest / 2**20))

    def drain(self, seconds=240):
        """Until every outbox message is sent (bounded). With the beats stopped, the drill queues what a dead
        worker held every few seconds, as beat's outbox sweep does."""
        from django.db import close_old_connections

        from notifications.models import OutboxMessage
        from notifications.tasks import outbox_requeue

        last_requeue = [time.monotonic()]

        def settled():
            close_old_connections()
            try:
                if time.monotonic() - last_requeue[0] > 20:
                    outbox_requeue()
                    last_requeue[0] = time.monotonic()
                return not OutboxMessage.objects.exclude(status="sent").exists()
            except Exception:  # noqa: BLE001 - the database may be failing over
                return False

        began = time.monotonic()
        with contextlib.suppress(RuntimeError):
            self.wait(settled, "the outbox to drain", seconds)
        self.drained_after = round(time.monotonic() - began, 1)
        time.sleep(3)  # a last webhook or mail in flight reaches its receiver
        self.say(f"settled {self.drained_after} s after the load")

    # --- the checks ---

    def check(self, clients, sink, load) -> dict:
        from django.db import close_old_connections
        from django.db.models import Count

        from cases.actions import CaseAction
        from cases.audit import audit_verify
        from cases.models import Case, CaseEvent
        from notifications.models import OutboxMessage

        close_old_connections()
        acknowledged = clients.acknowledged()
        found = Counter(Case.objects.filter(title__in=[title for title, _code in acknowledged])
                        .values_list("title", flat=True))
        lost = [title for title, _code in acknowledged if found[title] == 0]
        duplicated_intakes = sum(n - 1 for n in found.values() if n > 1)
        audit = audit_verify()
        outbox = OutboxMessage.objects.all()
        expected = {channel: {str(uid) for uid in outbox.filter(channel=channel).values_list("uid", flat=True)}
                    for channel in ("email", "webhook")}
        received = {"email": Counter(sink.email_ids), "webhook": Counter(sink.webhook_ids)}
        deliveries = {}
        for channel in ("email", "webhook"):
            deliveries[channel] = {
                "messages": len(expected[channel]),
                "missing": len(expected[channel] - set(received[channel])),
                "duplicates": sum(n - 1 for n in received[channel].values() if n > 1),
                "without_id": received[channel].get("", 0),
                "unknown": len(set(received[channel]) - expected[channel] - {""}),
            }
        reminders = (CaseEvent.objects.filter(action=CaseAction.REMIND)
                     .values("case_id", "data__clock", "data__level", "data__due").annotate(n=Count("id")))
        reminder_counts = [row["n"] for row in reminders]
        result = {
            "size": self.plan["size"],
            "load": {"seconds": self.plan["seconds"], "offered_intakes_per_s": self.plan["rate"],
                     "sessions": load["requests"], "held_intakes_per_s": round(load["rps"], 2),
                     "requests": clients.requests, "retried_requests": clients.retries,
                     "failed_answers": dict(clients.failed_statuses), "gave_up": clients.gave_up,
                     "p50_ms": round(load["p50_ms"]), "p99_ms": round(load["p99_ms"])},
            "faults": self.faults,
            "intakes": {"acknowledged": len(acknowledged), "lost": len(lost), "duplicated": duplicated_intakes,
                        "replayed_answers": clients.replayed},
            "audit_ok": audit.ok,
            "audit_cases": getattr(audit, "cases_checked", None),
            "outbox": {"messages": outbox.count(), "not_sent": outbox.exclude(status="sent").count(),
                       **{channel: value for channel, value in deliveries.items()}},
            "reminders": {"fired": sum(reminder_counts), "distinct": len(reminder_counts),
                          "duplicated": sum(n - 1 for n in reminder_counts)},
            "error_windows": clients.error_windows(),
            "downtime_seen_by_clients_s": round(sum(w["to_s"] - w["from_s"] for w in clients.error_windows()), 1),
            "waiting_on_retries_s": clients.downtime(),
            "longest_wait_s": clients.longest_wait(),
            "drained_after_load_s": self.drained_after,
            "memory": self.memory,
        }
        result["lost"] = (len(lost) + deliveries["email"]["missing"] + deliveries["webhook"]["missing"]
                          + result["outbox"]["not_sent"])
        result["duplicated"] = (duplicated_intakes + deliveries["email"]["duplicates"]
                                + deliveries["webhook"]["duplicates"] + result["reminders"]["duplicated"])
        return result


def nginx_main_conf(prefix: Path, http_body: str) -> str:
    """A main nginx.conf of its own (pid, logs and temporary files under `prefix`): never the system's."""
    temp = "\n".join(f"    {name}_temp_path {prefix}/{name}_temp;" for name in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {prefix}/logs/access.log;
{temp}
{http_body}
}}
"""


class Clients:
    """What a client does per session: an intake, two moves, a read; retries with the same key until answered."""

    def __init__(self, base, tokens, *, give_up_after):
        self.base = base
        self.tokens = tokens
        self.deadline = time.monotonic() + give_up_after
        self.lock = threading.Lock()
        self.sessions: list[dict] = []
        self.requests = self.retries = self.replayed = self.gave_up = 0
        self.failed_statuses: Counter = Counter()
        self.failures: list[tuple[float, float]] = []  # (first failed attempt, answered) of each retried request
        self.failed_at: list[float] = []  # when each failed answer came
        self.began = time.monotonic()

    def call(self, method, path, token, body=None, key=None):
        """The answer's (status, JSON); retried on a refused connection, a 5xx, a 409 `in progress`."""
        import urllib.error
        import urllib.request

        headers = {"Authorization": f"Token {self.tokens[token]}", "Accept": "application/json"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if key:
            headers["Idempotency-Key"] = key
        first_failure = None
        while True:
            request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
            began = time.monotonic()
            replayed = False
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, text = response.status, response.read().decode()
                    replayed = response.headers.get("Idempotent-Replayed") == "true"
            except urllib.error.HTTPError as error:
                status, text = error.code, error.read().decode(errors="replace")
            except OSError as error:
                status, text = 0, str(error)
            with self.lock:
                self.requests += 1
                self.replayed += replayed
            retry = status == 0 or status >= 500 or (status == 409 and "in_progress" in text)
            if not retry:
                if first_failure is not None:
                    with self.lock:
                        self.failures.append((first_failure, time.monotonic()))
                try:
                    return status, json.loads(text)
                except ValueError:
                    return status, {}
            with self.lock:
                self.retries += 1
                self.failed_statuses[status] += 1
                self.failed_at.append(time.monotonic() - self.began)
            first_failure = first_failure or began
            if time.monotonic() > self.deadline:
                with self.lock:
                    self.gave_up += 1
                    self.failures.append((first_failure, time.monotonic()))
                return status, {}
            time.sleep(0.5)

    def session(self, index: int) -> bool:
        key = f"drill-{uuid.uuid4().hex}"
        title = f"Phản ánh diễn tập {key}"
        status, case = self.call("POST", "/api/v1/cases/", "clerk", key=key, body={
            "title": title, "description": "Rác thải tồn đọng ở chợ.", "channel": "hotline", "topic": "MT",
            "locality": "P-A-T1", "reporter": {"name": "Ngô Văn E", "phone": "0909000000"}})
        record = {"title": title, "status": status, "code": case.get("code")}
        with self.lock:
            self.sessions.append(record)
        if status != 201:
            return False
        code = case["code"]
        self.call("POST", f"/api/v1/cases/{code}/transitions/verify/", "clerk", body={}, key=f"{key}-verify")
        self.call("POST", f"/api/v1/cases/{code}/transitions/assign/", "leader", body={"unit": "P-A-T1"},
                  key=f"{key}-assign")
        status, _page = self.call("GET", "/api/v1/cases/?status=assigned", "leader")
        return status == 200

    def acknowledged(self):
        with self.lock:
            return [(s["title"], s["code"]) for s in self.sessions if s["status"] == 201]

    def acknowledged_count(self):
        return len(self.acknowledged())

    def downtime(self) -> float:
        """Seconds during which some client's request had failed and was not yet answered (a union)."""
        total, end = 0.0, None
        for start, stop in sorted(self.failures):
            if end is None or start > end:
                total += stop - start
                end = stop
            elif stop > end:
                total += stop - end
                end = stop
        return round(total, 1)

    def error_windows(self, gap=2.0) -> list[dict]:
        """Stretches in which clients got failed answers (none more than `gap` s apart), from the load's start."""
        windows = []
        for at in sorted(self.failed_at):
            if windows and at - windows[-1]["to_s"] <= gap:
                windows[-1]["to_s"], windows[-1]["answers"] = at, windows[-1]["answers"] + 1
            else:
                windows.append({"from_s": at, "to_s": at, "answers": 1})
        return [{key: round(value, 1) if key != "answers" else value for key, value in window.items()}
                for window in windows]

    def longest_wait(self) -> float:
        return round(max((stop - start for start, stop in self.failures), default=0.0), 1)


def table(result: dict) -> str:
    faults = ", ".join(f"{f['kind']} {f['node']} at {f['at_s']} s" for f in result["faults"]) or "none"
    load = result["load"]
    rows = [
        ("drill", result["size"]),
        ("load offered", f"{load['offered_intakes_per_s']} intakes/s for {load['seconds']} s, each with 2 moves and "
                         f"a read ({load['requests']} requests, {load['retried_requests']} retried)"),
        ("load held", f"{load['held_intakes_per_s']} sessions/s; p50 {load['p50_ms']} ms, p99 {load['p99_ms']} ms "
                      "from the time due"),
        ("faults", faults),
        ("intakes acknowledged", result["intakes"]["acknowledged"]),
        ("lost", f"{result['lost']} (intakes {result['intakes']['lost']}, email "
                 f"{result['outbox']['email']['missing']}, webhook {result['outbox']['webhook']['missing']}, "
                 f"unsent {result['outbox']['not_sent']})"),
        ("duplicated", f"{result['duplicated']} (intakes {result['intakes']['duplicated']}, email "
                       f"{result['outbox']['email']['duplicates']}, webhook {result['outbox']['webhook']['duplicates']}"
                       f", reminders {result['reminders']['duplicated']})"),
        ("event chains", "verify" if result["audit_ok"] else "BROKEN"),
        ("outbox", f"{result['outbox']['messages']} messages; {result['outbox']['email']['messages']} emails and "
                   f"{result['outbox']['webhook']['messages']} webhooks, each received with its message id"),
        ("reminders", f"{result['reminders']['fired']} fired, {result['reminders']['distinct']} distinct"),
        ("downtime seen by clients", f"{result['downtime_seen_by_clients_s']} s of failed answers: " + (", ".join(
            f"{w['answers']} at {w['from_s']}–{w['to_s']} s" for w in result["error_windows"]) or "none")),
        ("waiting on retries", f"{result['waiting_on_retries_s']} s in all (first failure to answer, queueing "
                               f"included); longest {result['longest_wait_s']} s; gave up {load['gave_up']}"),
        ("drained after the load", f"{result['drained_after_load_s']} s"),
    ]
    for kind, seen in sorted(result["memory"].items()):
        rows.append((f"memory, {kind} node", f"{seen['processes']} processes, {seen['peak_rss_mb']} MB RSS "
                                             f"({seen['peak_pss_mb']} MB PSS), "
                                             f"largest {seen['largest_process_rss_mb']} MB"))
    return "| | |\n|---|---|\n" + "\n".join(f"| {name} | {value} |" for name, value in rows)


def inner(plan_path: str) -> int:
    plan = json.loads(Path(plan_path).read_text())
    sys.path.insert(0, str(ROOT))
    drill = Drill(plan)
    try:
        result = drill.run()
    except Exception:
        for name in sorted(drill.processes):
            print(f"--- {name}\n{drill.tail(name)[-1500:]}", file=sys.stderr)
        raise
    finally:
        for process in drill.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in drill.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
    print(table(result), flush=True)
    if plan["json"]:
        Path(plan["json"]).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0 if result["lost"] == 0 and result["audit_ok"] else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="two beats, a replica, a beat killed, a failover")
    parser.add_argument("--seconds", type=int, default=None, help="length of the load (60; --full: 150)")
    parser.add_argument("--rate", type=float, default=None, help="intakes offered per second (2)")
    parser.add_argument("--json", help="write the result here as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inside:
        return inner(args.inside)
    args.seconds = args.seconds or (150 if args.full else 60)
    args.rate = args.rate or 2.0
    return outer(args)


if __name__ == "__main__":
    sys.exit(main())

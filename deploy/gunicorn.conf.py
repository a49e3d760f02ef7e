"""gunicorn settings of a web node (systemd: deploy/systemd/dlxh-web.service; the cluster drill starts the same).

Every value can be changed from the environment file without editing this one (docs/deployment.md).
"""

import multiprocessing
import os

# The node's private address: nginx on the load balancer is the only client.
bind = os.environ.get("DLXH_WEB_BIND", "0.0.0.0:8000")
# Sync workers: the code is synchronous and each request holds one database connection. Two per core keep the
# cores busy while some wait on PostgreSQL (docs/benchmarks.md measured 2 on 2 cores); each one is ~one
# PostgreSQL connection, so web nodes × workers must stay under max_connections (docs/deployment.md).
workers = int(os.environ.get("DLXH_WEB_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = "sync"
# A request that takes longer is killed and its worker replaced (exports run in Celery, not here).
timeout = int(os.environ.get("DLXH_WEB_TIMEOUT", "60"))
# On SIGTERM (systemctl stop, a deploy) requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("DLXH_WEB_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# A worker is replaced after this many requests (with jitter, so they do not all restart at once): memory stays
# where docs/deployment.md's sizing table puts it.
max_requests = int(os.environ.get("DLXH_WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# X-Forwarded-For / -Proto are believed only from the load balancer (DLXH_PROXY_COUNT says how many hops).
forwarded_allow_ips = os.environ.get("DLXH_WEB_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Request lines to stdout (journald); the product's own log goes through Django's LOGGING.
accesslog = os.environ.get("DLXH_WEB_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%({x-request-id}i)s"'
errorlog = "-"
loglevel = os.environ.get("DLXH_WEB_LOG_LEVEL", "info")
proc_name = "dlxh-web"
# Worker heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

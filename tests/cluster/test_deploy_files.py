"""The deployment files of deploy/ are valid for the tools that read them: systemd's units
(`systemd-analyze verify`) and nginx's configuration (`nginx -t`, with its own prefix and a throw-away
certificate). Skipped without the tool, failed under CI=true (.ci/run installs nginx)."""

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cluster import nginx_main_conf

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def need(tool):
    if not shutil.which(tool):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI checks the deployment files with {tool}")
        pytest.skip(f"needs {tool}")


def test_systemd_units_verify(tmp_path):
    need("systemd-analyze")
    (tmp_path / "dlxh.env").write_text("DEBUG=false\n")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text()
        # Where this checkout is, instead of /srv/dlxh (systemd checks that each command exists).
        text = text.replace("/srv/dlxh/.venv/bin/", str(Path(sys.executable).parent) + "/")
        text = text.replace("/srv/dlxh/", str(ROOT) + "/").replace("/etc/dlxh/dlxh.env", str(tmp_path / "dlxh.env"))
        (tmp_path / unit.name).write_text(text)
        units.append(str(tmp_path / unit.name))
    assert {Path(unit).name for unit in units} >= {"dlxh-web.service", "dlxh-worker.service", "dlxh-beat.service",
                                                    "dlxh-fetch-email.service", "dlxh-fetch-email.timer"}
    run = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, cwd=tmp_path)
    # Unknown keys and bad values are only warnings: any message at all fails the check.
    assert run.returncode == 0 and not run.stderr.strip() and not run.stdout.strip(), run.stderr + run.stdout


def test_the_units_run_the_deploy_settings():
    web = (DEPLOY / "systemd" / "dlxh-web.service").read_text()
    assert "--config /srv/dlxh/deploy/gunicorn.conf.py config.wsgi" in web
    for unit in ("dlxh-worker.service", "dlxh-beat.service"):
        assert "EnvironmentFile=/srv/dlxh/deploy/env/celery.env" in (DEPLOY / "systemd" / unit).read_text()
    assert "manage.py fetch_email" in (DEPLOY / "systemd" / "dlxh-fetch-email.service").read_text()


def _certificate(directory: Path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "dlxh.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                              serialization.PrivateFormat.PKCS8,
                                                              serialization.NoEncryption()))


def test_nginx_configuration_is_valid(tmp_path):
    need("nginx")
    prefix = tmp_path / "nginx"
    (prefix / "conf" / "dlxh").mkdir(parents=True)
    (prefix / "logs").mkdir()
    tls = tmp_path / "tls"
    tls.mkdir()
    _certificate(tls)
    for name in ("dlxh-upstream.conf", "dlxh-proxy.conf", "dlxh-site.conf"):
        text = (DEPLOY / "nginx" / name).read_text().replace("/etc/dlxh/tls/", f"{tls}/")
        (prefix / "conf" / "dlxh" / name).write_text(text)
    (prefix / "conf" / "nginx.conf").write_text(nginx_main_conf(prefix, "    include dlxh/dlxh-upstream.conf;\n"
                                                                        "    include dlxh/dlxh-site.conf;"))
    run = subprocess.run(["nginx", "-t", "-p", str(prefix), "-c", str(prefix / "conf" / "nginx.conf"),
                          "-g", f"error_log {prefix}/logs/error.log;"], capture_output=True, text=True)
    assert run.returncode == 0 and "test is successful" in run.stderr, run.stderr
    assert "[warn]" not in run.stderr and "[emerg]" not in run.stderr, run.stderr


def test_nginx_takes_failed_nodes_out_and_retries_only_what_is_safe():
    upstream = (DEPLOY / "nginx" / "dlxh-upstream.conf").read_text()
    proxy = (DEPLOY / "nginx" / "dlxh-proxy.conf").read_text()
    servers = re.findall(r"^\s*server (\S+) (.*);$", upstream, re.M)
    assert len(servers) >= 2 and all("max_fails=" in params and "fail_timeout=" in params for _, params in servers)
    retry = re.search(r"proxy_next_upstream ([^;]+);", proxy).group(1).split()
    assert {"error", "timeout", "http_502", "http_504"} <= set(retry)
    assert "non_idempotent" not in retry  # a POST a node may have acted on is retried by the client, with its key
    assert "http_503" not in retry  # the application's "database unavailable": no node is to blame


def test_the_example_database_url_names_both_servers_and_asks_for_the_writable_one():
    """config/settings.py reads DATABASE_URL with django-environ: a URL with two hosts arrives as the comma
    lists psycopg tries in turn, with target_session_attrs (the drill's failover runs on it)."""
    import environ
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    example = (DEPLOY / "env" / "dlxh.env.example").read_text()
    url = re.search(r'^DATABASE_URL="(\S+)"$', example, re.M).group(1)  # quoted: `&` means something to a shell
    db = environ.Env.db_url_config(url)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    params = conninfo_to_dict(make_conninfo(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"],
                                            **db["OPTIONS"]))
    assert params["host"] == "10.0.0.21,10.0.0.12" and params["port"] == "5432,5432"
    assert params["target_session_attrs"] == "read-write" and params["connect_timeout"] == "3"

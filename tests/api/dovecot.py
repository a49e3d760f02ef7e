"""A private Dovecot IMAP server for tests: on loopback, with its own configuration, user, maildir and
TLS certificate (signed by a CA made here) under a temporary folder. Nothing of the machine's own
Dovecot configuration is read or changed; the server is stopped at the end, killed if it will not stop.
"""

import contextlib
import datetime
import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.workers import free_port

DOVECOT = Path("/usr/sbin/dovecot")  # Debian's dovecot-imapd (with dovecot-core)
USER, PASSWORD = "tiepnhan", "mat-khau-thu"
START_SECONDS = 20


def dovecot_installed() -> bool:
    return DOVECOT.exists()


@dataclass
class ImapServer:
    imap_port: int
    imaps_port: int
    ca_file: Path
    log: Path

    def url(self, folder: str, *, scheme: str = "imaps", query: str = "") -> str:
        port = self.imaps_port if scheme == "imaps" else self.imap_port
        return f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}/{folder}" + (f"?{query}" if query else "")

    @contextlib.contextmanager
    def session(self, folder: str):
        """A logged-in client (plain IMAP on loopback: the test's own side, not the product's)."""
        client = imaplib.IMAP4("127.0.0.1", self.imap_port, timeout=10)
        client.login(USER, PASSWORD)
        client.create(folder)
        client.select(folder)
        try:
            yield client
        finally:
            client.logout()

    def append(self, folder: str, *messages: bytes) -> None:
        with self.session(folder) as client:
            for raw in messages:
                status, detail = client.append(folder, None, None, raw)
                assert status == "OK", detail

    def uids(self, folder: str, criteria: str = "ALL") -> list[bytes]:
        with self.session(folder) as client:
            _status, data = client.uid("SEARCH", None, criteria)
            return (data[0] or b"").split()

    def mark_unread(self, folder: str) -> None:
        """As a mail client or a server migration may do: every message of the folder unread again."""
        with self.session(folder) as client:
            client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")

    def move_all(self, source: str, target: str) -> None:
        with self.session(source) as client:
            client.uid("MOVE", "1:*", target)

    def raw(self, folder: str, uid: bytes) -> bytes:
        with self.session(folder) as client:
            _status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            return next(item[1] for item in fetched if isinstance(item, tuple))


@contextlib.contextmanager
def dovecot_server():
    """Start Dovecot in the foreground as a child process; yield an `ImapServer`."""
    if not dovecot_installed():
        pytest.fail(f"{DOVECOT} is missing (apt-get install -y dovecot-imapd); CI needs it")
    root = Path(tempfile.mkdtemp(prefix="dlxh-dovecot-"))
    process = None
    try:
        server = _configure(root)
        with open(root / "stdout.log", "wb") as output:
            # Its own process group: the master and every process it started are stopped together.
            process = subprocess.Popen([str(DOVECOT), "-F", "-c", str(root / "dovecot.conf")],
                                       stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_listening(server, process)
        yield server
    finally:
        if process is not None:
            _stop(process)
        shutil.rmtree(root, ignore_errors=True)


def _stop(process) -> None:
    # SIGTERM to the whole group (the master alone waits seconds for its children to go).
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _configure(root: Path) -> ImapServer:
    # Dovecot refuses to run its login processes as root and mail as uid 0: as root (CI, a
    # container) they run as the package's own users; otherwise as the person running the tests.
    if os.geteuid() == 0:
        internal, login = "dovecot", "dovenull"
    else:
        internal = login = pwd.getpwuid(os.getuid()).pw_name
    mail_user = pwd.getpwnam(internal)
    group = grp.getgrgid(mail_user.pw_gid).gr_name
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    root.chmod(0o755)
    os.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    ca_file = _certificates(root)
    imap_port = imaps_port = free_port()
    while imaps_port == imap_port:
        imaps_port = free_port()
    (root / "dovecot.conf").write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {mail_user.pw_uid}
last_valid_uid = 0
ssl = yes
ssl_cert = <{root}/server.pem
ssl_key = <{root}/server.key
auth_mechanisms = plain login
auth_failure_delay = 0
disable_plaintext_auth = no
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
    ssl = yes
  }}
}}
""")
    return ImapServer(imap_port=imap_port, imaps_port=imaps_port, ca_file=ca_file, log=root / "dovecot.log")


def _certificates(root: Path) -> Path:
    """A private CA and the server's certificate for 127.0.0.1 and localhost, signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DLXH test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                     crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(server_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (root / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (root / "server.pem").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (root / "server.key").write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return root / "ca.pem"


def _wait_listening(server: ImapServer, process) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        with contextlib.suppress(OSError):
            with socket.create_connection(("127.0.0.1", server.imaps_port), timeout=1):
                with contextlib.suppress(OSError, imaplib.IMAP4.error):
                    imaplib.IMAP4("127.0.0.1", server.imap_port, timeout=2).logout()
                    return
        time.sleep(0.1)
    log = server.log.read_text() if server.log.exists() else ""
    pytest.fail(f"Dovecot did not start listening within {START_SECONDS} s:\n{log}")

"""A real IMAP server for the tests: Debian's Dovecot on an ephemeral loopback port, private
config, base_dir and maildir under a temporary directory, passwd-file authentication.

Also a loopback proxy in front of it that cuts the connection after N bytes from the server.
"""
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
# No chroot: a non-root Dovecot (CI as an ordinary user) may not chroot.
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self, users: dict[str, str], certificate: tuple | None = None):
        # Its own directory, traversable by the unprivileged users Dovecot switches to when started
        # as root (pytest's tmp_path is 0700); removed by stop().
        self.root, self.users = Path(tempfile.mkdtemp(prefix="parsurvey-dovecot-")), users
        self.port = 0
        self.pid = None
        self.certificate = certificate  #: (cert.pem, key.pem): STARTTLS offered

    def start(self) -> "Dovecot":
        for sub in ("run", "state", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self.users.items()))
        me = pwd.getpwuid(os.geteuid())
        if os.geteuid() == 0:  # Dovecot refuses to run its login processes as root
            login_user, internal_user = "dovenull", "dovecot"
            owner = pwd.getpwnam("dovecot")
            os.chmod(self.root, 0o755)
            os.chown(self.root / "mail", owner.pw_uid, owner.pw_gid)
        else:
            login_user = internal_user = me.pw_name
            owner = me
        group = owner.pw_gid
        ssl = "ssl = no"
        if self.certificate:
            for i, src in enumerate(self.certificate):
                (self.root / f"tls{i}.pem").write_bytes(Path(src).read_bytes())
            ssl = f"ssl = yes\nssl_cert = <{self.root}/tls0.pem\nssl_key = <{self.root}/tls1.pem"
        for _attempt in range(5):  # the free port may be taken between finding and binding it
            self.port = free_port()
            conf = self.root / "dovecot.conf"
            conf.write_text(CONFIG.format(root=self.root, login_user=login_user, internal_user=internal_user,
                                          internal_group=_group_name(group), mail_uid=owner.pw_uid,
                                          mail_gid=owner.pw_gid, port=self.port, ssl=ssl))
            # The master daemonizes: give it no pipe to hold open (a captured pipe never reaches EOF).
            with open(self.root / "start.log", "w") as out:
                result = subprocess.run([DOVECOT, "-c", str(conf)], stdin=subprocess.DEVNULL, stdout=out,
                                        stderr=subprocess.STDOUT, timeout=30)
            if result.returncode == 0 and self._wait_ready():
                self.pid = int((self.root / "run" / "master.pid").read_text().strip())
                return self
            self._kill()
        raise RuntimeError(f"dovecot did not start: {(self.root / 'start.log').read_text()} {self.log()}")

    def _wait_ready(self) -> bool:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    if s.recv(100).startswith(b"* OK"):
                        return True
            except OSError:
                time.sleep(0.05)
        return False

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        self._kill()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill(self) -> None:
        pidfile = self.root / "run" / "master.pid"
        pid = self.pid or (int(pidfile.read_text().strip()) if pidfile.exists() else None)
        if pid:
            try:
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    os.kill(pid, 0)
                    time.sleep(0.05)
            except ProcessLookupError:
                pass
        self.pid = None

    # -- helpers for the tests: deliver with IMAP APPEND, look at folders --
    def client(self, user: str) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(user, self.users[user])
        return conn

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        conn = self.client(user)
        try:
            typ, data = conn.append(folder, None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
            assert typ == "OK", data
        finally:
            conn.logout()

    def count(self, user: str, folder: str = "INBOX") -> int:
        conn = self.client(user)
        try:
            typ, data = conn.select(f'"{folder}"', readonly=True)
            return int(data[0]) if typ == "OK" else 0  # no such folder yet: nothing in it
        finally:
            conn.logout()


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


class CuttingProxy:
    """Loopback TCP proxy that forwards to `port` and cuts the connection once `cut_after` bytes
    came from the server (the IMAP server "drops the connection mid-fetch")."""

    def __init__(self, port: int, cut_after: int):
        self.target, self.cut_after = port, cut_after
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while self.running:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, None), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, self.cut_after), daemon=True).start()

    @staticmethod
    def _pipe(src, dst, limit) -> None:
        sent = 0
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if limit is not None and sent + len(data) >= limit:
                    dst.sendall(data[:max(0, limit - sent)])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.running = False
        self.sock.close()

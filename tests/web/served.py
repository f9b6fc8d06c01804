"""A served instance in a subprocess: the documented command line (deploy/ipbureau.service's ExecStart) on a
database of its own. Used by tests/web/test_deployment.py and by bench/load.py.

Only processes started here are signalled, by their own id (the server's process group, which it leads).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[2]
UNIT_FILE = REPO / "deploy" / "ipbureau.service"
CLI = [sys.executable, "-m", "ipbureau.cli"]
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def documented_serve_arguments() -> list[str]:
    """The arguments of ``ipbureau serve`` in the systemd unit's ExecStart (deploy/ipbureau.service)."""
    line = next(line for line in UNIT_FILE.read_text().splitlines() if line.startswith("ExecStart="))
    words = shlex.split(line.removeprefix("ExecStart="))
    return words[words.index("serve"):]


def with_option(arguments: list[str], name: str, value: str) -> list[str]:
    """``arguments`` with ``name``'s value replaced (or the option added)."""
    if name in arguments:
        index = arguments.index(name)
        return [*arguments[:index + 1], value, *arguments[index + 2:]]
    return [*arguments, name, value]


def fresh_postgres_database(url: str, name: str) -> str:
    """An empty database ``name`` beside the one of ``url`` (dropped first if it exists); its URL."""
    base = make_url(url)
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def instance_environment(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    """The process environment of an instance: this one's, with every IPBUREAU_* setting replaced."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPBUREAU_")}
    env.update({
        "IPBUREAU_DATA_DIR": str(data_dir),
        "IPBUREAU_SECRET_KEY": "served-instance-secret-not-for-production",
        "IPBUREAU_PASSWORD_HASH_PROFILE": "test",
        "IPBUREAU_EMBED_MISSING_AT_START_UP": "false",
        "PYTHONUNBUFFERED": "1",
    })
    if database_url:
        env["IPBUREAU_DATABASE_URL"] = database_url
    env.update(extra)
    return env


def run_cli(env: dict[str, str], *arguments: str, timeout: float = 600) -> str:
    """Run ``ipbureau <arguments>`` in the instance's environment; its output (raises when it fails)."""
    done = subprocess.run([*CLI, *arguments], env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"ipbureau {' '.join(arguments)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass
class ServedInstance:
    """``ipbureau serve`` with the documented arguments, on a free port, until ``stop()``."""

    env: dict[str, str]
    workers: int = 2
    log_path: Path | None = None
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> ServedInstance:
        arguments = with_option(with_option(documented_serve_arguments(), "--port", str(self.port)),
                                "--workers", str(self.workers))
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 (kept open while it runs)
        self.process = subprocess.Popen([*CLI, *arguments], env=self.env, cwd=REPO, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (OSError, urllib.error.HTTPError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"ipbureau serve did not start (exit code {self.process.returncode}); "
                                   f"log: {self.log_path}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        """The server's child processes (uvicorn's workers)."""
        assert self.process is not None
        children: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children += [int(pid) for pid in (task / "children").read_text().split()]
        return children

    def stop(self, timeout: float = 40) -> int | None:
        """SIGTERM to the server (it stops its workers after their requests end); SIGKILL to its own process
        group if it has not ended within ``timeout``."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the group this instance leads (start_new_session)
            return self.process.wait(timeout=10)

    def __enter__(self) -> ServedInstance:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def login_cookie(base: str, username: str, password: str) -> str:
    """Sign in through the login form; the session cookie (``name=value``)."""
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(f"{base}/login", timeout=30) as page:
        cookie = page.headers["set-cookie"].split(";")[0]
        match = CSRF_RE.search(page.read().decode())
        assert match, "the login page has no CSRF token"
    body = urllib.parse.urlencode({"username": username, "password": password, "csrf_token": match.group(1),
                                   "next": "/"}).encode()
    request = urllib.request.Request(f"{base}/login", data=body, headers={"Cookie": cookie})
    try:
        opener.open(request, timeout=30)
    except urllib.error.HTTPError as answer:  # the 303 after a successful login
        if answer.code != 303:
            raise AssertionError(f"login of {username} answered {answer.code}") from None
        return answer.headers["set-cookie"].split(";")[0]
    raise AssertionError(f"login of {username} did not redirect")

"""`openbeat serve` in a child process: start it, wait until it answers, stop it.

For the tests and benchmarks that need a real server (gunicorn, its workers, the
background worker) rather than Django's test client::

    with launch(["--demo", "--lake", "data/lake"], env=env, log=tmp / "serve.log") as server:
        urllib.request.urlopen(server.base + "/api/areas")

The server is ready when ``/healthz`` answers 200. If it stops first, or does not answer
within ``ready_within`` seconds, :class:`LaunchError` says so with the end of its log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

#: What `openbeat serve` runs, without loading the rest of the command line.
SERVE = "from openbeat.cli.web_commands import serve; serve(prog_name='openbeat serve')"


class LaunchError(RuntimeError):
    """The server stopped, or did not answer in time; the message ends with its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, *, timeout: float = 2) -> bool:
    """True when ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except OSError:
        return False


@dataclass
class Launched:
    proc: subprocess.Popen
    base: str  # e.g. http://127.0.0.1:8123
    log: Path

    def stop(self, timeout: float = 15) -> None:
        """SIGTERM (gunicorn stops its workers and the background worker), SIGKILL if it hangs."""
        self.proc.terminate()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> Launched:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def launch(args: list[str], *, env: dict[str, str] | None = None, log: str | os.PathLike,
           port: int | None = None, cwd: str | os.PathLike | None = None, ready_within: float = 240,
           interval: float = 0.3) -> Launched:
    """Run ``openbeat serve ARGS --host 127.0.0.1 --port PORT`` (a free port unless given), its
    output to ``log``, and wait until ``/healthz`` answers 200."""
    port = port or free_port()
    log = Path(log)
    cmd = [sys.executable, "-c", SERVE, *args, "--host", "127.0.0.1", "--port", str(port)]
    with open(log, "w") as out:  # the child keeps its own copy of the file
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Launched(proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + ready_within
    while not answers(server.base + "/healthz", timeout=5):
        if proc.poll() is not None or time.monotonic() > deadline:
            why = (f"stopped with exit code {proc.returncode}" if proc.poll() is not None
                   else f"did not answer within {ready_within:g} s")
            server.stop()
            raise LaunchError(f"openbeat serve {why}:\n{log.read_text()[-3000:]}")
        time.sleep(interval)
    return server

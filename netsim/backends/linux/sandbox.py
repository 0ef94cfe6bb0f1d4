"""The real kernel, inside a sandbox of its own.

``unshare --user --map-root-user --net --mount --pid --fork --kill-child``
makes a user, network, mount and PID namespace for one process tree; a tmpfs
on ``/run/netns`` holds the named namespaces ``ip netns add`` makes, and a
fresh sysfs shows the sandbox's own devices.  Nothing is created in, or
changed on, the machine's own namespaces, and when the sandbox's first
process ends, however it ends, the kernel tears everything down.

:func:`run_script` runs one bash script in a fresh sandbox; :class:`Sandbox`
keeps one open, with an agent inside (:mod:`netsim.backends.linux.agent`) that
takes requests on a pipe.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import IO, Any, Final, final

__all__ = ["PRELUDE", "UNSHARE", "RunResult", "Sandbox", "SandboxError", "SandboxUnavailable",
           "run_script", "script_argv", "unavailable_reason"]  # fmt: skip

#: The unshare command line every sandbox starts from.  ``--mount-proc`` gives it a
#: /proc of its own, so that PID 1 (``ip link set DEV netns 1``) is the sandbox's
#: first process, in the sandbox's root namespace, not the machine's init.
UNSHARE: Final = ("unshare", "--user", "--map-root-user", "--net", "--mount", "--pid",
                  "--fork", "--kill-child", "--mount-proc")  # fmt: skip

#: Run first in every sandbox: its own /run/netns and /sys, and a fresh /var/lib
#: (what programs write there -- the CNI plugins' state in /var/lib/cni -- stays
#: in the sandbox even when it runs as real root).  /tmp stays the machine's: the
#: agent's Python may live there (a checkout in /tmp); scenario scripts get a
#: tmpfs /tmp of their own (``netsim.observe.run.KERNEL_PRELUDE``).
PRELUDE: Final = (
    "mkdir -p /run/netns && mount -t tmpfs none /run/netns && mount -t sysfs none /sys"
    " && mount -t tmpfs none /var/lib\n"
)


class SandboxUnavailable(RuntimeError):
    """This machine cannot make the sandbox; the message says why and what to enable."""


class SandboxError(RuntimeError):
    """The sandbox went away (killed, or its agent failed) while it was in use."""


@final
@dataclass(frozen=True, slots=True)
class RunResult:
    """What a command in the sandbox printed, and its exit status."""

    stdout: str
    stderr: str
    returncode: int


@functools.cache
def unavailable_reason() -> str | None:
    """Why the sandbox cannot be made here, or ``None`` when it can."""
    for tool, package in (("unshare", "util-linux"), ("ip", "iproute2"), ("bridge", "iproute2")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package {package})"
    try:
        r = subprocess.run([*UNSHARE, "sh", "-c", PRELUDE + "ip netns add probe"],
                           capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare failed: {e}"
    if r.returncode != 0:
        return (
            "the kernel refuses an unprivileged user namespace "
            f"({r.stderr.strip() or r.returncode}); enable it with "
            "sysctl kernel.unprivileged_userns_clone=1 (Debian) or raise "
            "user.max_user_namespaces, or run as root"
        )
    return None


def run_script(script: str, *, timeout: float = 120) -> RunResult:
    """Run ``script`` with bash in a fresh sandbox and return what it printed
    (byte for byte: a ``\r`` stays, as in the files host-local writes)."""
    reason = unavailable_reason()
    if reason is not None:
        raise SandboxUnavailable(reason)
    r = subprocess.run([*UNSHARE, "bash", "-s"], input=(PRELUDE + script).encode(),
                       capture_output=True, timeout=timeout, check=False)  # fmt: skip
    return RunResult(r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace"),
                     r.returncode)  # fmt: skip


def script_argv(script: str, *, name: str = "netsim", args: tuple[str, ...] = ()) -> list[str]:
    """The command line that runs ``bash -c SCRIPT NAME ARGS...`` in a fresh sandbox,
    after :data:`PRELUDE` (so line numbers in bash's messages are the script's own)."""
    boot = PRELUDE.strip() + ' && exec bash -c "$@"'
    return [*UNSHARE, "sh", "-c", boot, "sh", script, name, *args]


@final
class Sandbox:
    """One sandbox that stays up: an agent process inside it answers requests.

    Everything made through it lives in the sandbox's own user, mount, network
    and PID namespaces; :meth:`close` (or the end of this process, or a
    ``SIGKILL`` of :attr:`pid`) ends the agent and the kernel removes it all.
    """

    def __init__(self, *, timeout: float = 120):
        """Start the sandbox; ``timeout`` bounds each script or command run in it."""
        reason = unavailable_reason()
        if reason is not None:
            raise SandboxUnavailable(reason)
        self.timeout = timeout
        self._log: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        argv = [*UNSHARE, sys.executable, "-m", "netsim.backends.linux.agent"]
        self._proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._log, text=True, bufsize=1,
                                      env=_agent_env())  # fmt: skip
        self._next = 0
        hello = self._read()
        if "fault" in hello:
            self.close()
            raise SandboxUnavailable(f"the sandbox's agent failed to start: {hello['fault']}")

    @property
    def pid(self) -> int:
        """The process id (in the caller's namespace) of ``unshare``, the sandbox's root."""
        return self._proc.pid

    @property
    def alive(self) -> bool:
        """Whether the sandbox is still up."""
        return self._proc.poll() is None

    def request(self, cmd: str, **fields: Any) -> dict[str, Any]:
        """Send one request to the agent and return its answer."""
        if self._proc.stdin is None or not self.alive:
            raise SandboxError(self._gone())
        self._next += 1
        line = json.dumps({"id": self._next, "cmd": cmd, **fields})
        try:
            self._proc.stdin.write(line + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            raise SandboxError(self._gone()) from None
        answer = self._read()
        if "fault" in answer:
            raise SandboxError(f"the sandbox's agent failed: {answer['fault']}")
        return answer

    def script(self, text: str, *, name: str = "netsim", args: tuple[str, ...] = ()) -> RunResult:
        """Run ``text`` with bash inside the sandbox (``bash -c TEXT NAME ARGS...``)."""
        r = self.request("script", text=text, name=name, args=list(args), timeout=self.timeout)
        return RunResult(r["stdout"], r["stderr"], r["returncode"])

    def run(self, argv: list[str], *, netns: str | None = None, stdin: str = "") -> RunResult:
        """Run ``argv`` inside the sandbox, in namespace ``netns`` (``ip netns exec``)."""
        r = self.request("run", argv=argv, netns=netns, stdin=stdin, timeout=self.timeout)
        return RunResult(r["stdout"], r["stderr"], r["returncode"])

    def close(self) -> None:
        """End the agent; the sandbox and everything in it goes with it."""
        proc = self._proc
        if proc.stdin is not None and not proc.stdin.closed:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        self._log.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self) -> dict[str, Any]:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            raise SandboxError(self._gone())
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _gone(self) -> str:
        status = self._proc.poll()
        try:
            self._log.seek(0)
            log = self._log.read().strip()
        except (OSError, ValueError):
            log = ""
        what = "is still running" if status is None else f"exited with status {status}"
        return f"the sandbox went away (its unshare {what}){': ' + log if log else ''}"


def _agent_env() -> dict[str, str]:
    """The caller's environment, with this netsim importable by the agent."""
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env

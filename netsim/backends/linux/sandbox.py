"""The real kernel, inside a sandbox of its own.

``unshare --user --map-root-user --net --mount --pid --fork --kill-child``
makes a user, network, mount and PID namespace for one process tree; a tmpfs
on ``/run/netns`` holds the named namespaces ``ip netns add`` makes, and a
fresh sysfs shows the sandbox's own devices.  Nothing is created in, or
changed on, the machine's own namespaces, and when the sandbox's first
process ends, however it ends, the kernel tears everything down.

:func:`run_script` runs one bash script in a fresh sandbox.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from typing import Final, final

__all__ = ["PRELUDE", "UNSHARE", "RunResult", "SandboxUnavailable", "run_script",
           "unavailable_reason"]  # fmt: skip

#: The unshare command line every sandbox starts from.
UNSHARE: Final = ("unshare", "--user", "--map-root-user", "--net", "--mount", "--pid",
                  "--fork", "--kill-child")  # fmt: skip

#: Run first in every sandbox: its own /run/netns and /sys.
PRELUDE: Final = (
    "mkdir -p /run/netns && mount -t tmpfs none /run/netns && mount -t sysfs none /sys\n"
)


class SandboxUnavailable(RuntimeError):
    """This machine cannot make the sandbox; the message says why and what to enable."""


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
    """Run ``script`` with bash in a fresh sandbox and return what it printed."""
    reason = unavailable_reason()
    if reason is not None:
        raise SandboxUnavailable(reason)
    r = subprocess.run([*UNSHARE, "bash", "-s"], input=PRELUDE + script, capture_output=True,
                       text=True, timeout=timeout, check=False)  # fmt: skip
    return RunResult(r.stdout, r.stderr, r.returncode)

"""Run shell scripts on the real kernel inside a throwaway user + mount + net namespace.

``unshare -Urnm --pid --fork --mount-proc`` gives a sandbox in which ``ip netns
add``, veth and bridge work without root; everything in it disappears when the script exits.
Nothing is created in, or changed on, the machine's own namespaces.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

import pytest

#: user + net + mount + pid namespaces, with a /proc of their own so that PID 1
#: (``ip link set DEV netns 1``) is the sandbox's first process, in its root netns.
UNSHARE = ("unshare", "-Urnm", "--pid", "--fork", "--mount-proc")
PRELUDE = "set -u; mkdir -p /run/netns; mount -t tmpfs none /run/netns\n"


@functools.cache
def unavailable_reason() -> str | None:
    """Why the kernel sandbox cannot run here, or None when it can."""
    for tool in ("unshare", "ip", "bridge"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (Debian package util-linux / iproute2)"
    try:
        r = subprocess.run(
            [*UNSHARE, "bash", "-c", PRELUDE + "ip netns add probe && ip -n probe link"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare failed: {e}"
    if r.returncode != 0:
        return (
            "unprivileged user namespaces are not available "
            f"(kernel.unprivileged_userns_clone / user.max_user_namespaces): {r.stderr.strip()}"
        )
    return None


def require_kernel() -> None:
    """Skip (or, with NETSIM_REQUIRE_KERNEL=1, fail) when the sandbox cannot run."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get("NETSIM_REQUIRE_KERNEL") == "1":
        pytest.fail(f"NETSIM_REQUIRE_KERNEL=1 but the kernel sandbox is unavailable: {reason}")
    pytest.skip(reason)


def run(script: str, *, timeout: float = 120) -> str:
    """Run ``script`` with bash in a fresh sandbox; return its stdout (stderr folded in)."""
    require_kernel()
    r = subprocess.run(
        [*UNSHARE, "bash", "-s"],
        input=PRELUDE + script,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if r.returncode != 0:
        raise AssertionError(f"sandbox script failed ({r.returncode}):\n{r.stderr}\n{r.stdout}")
    return r.stdout


def possible_cpus() -> int:
    """``num_possible_cpus()`` of this machine (a veth's queue count shows it)."""
    try:
        text = Path("/sys/devices/system/cpu/possible").read_text().strip()
    except OSError:
        return os.cpu_count() or 1
    count = 0
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        count += int(hi or lo) - int(lo) + 1
    return count

"""The kernel backend's sandbox: rootless, gone without a trace however it ends,
and ``netsim sh --backend kernel`` runs scripts in it with the real tools."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

import pytest

from netsim.host.ops import AddrAdd, Dump, LinkAdd, LinkDel, LinkSet, NetnsAdd, RouteAdd
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).parent.parent.parent
NOBODY = 65534

#: Run as another user: builds two namespaces joined by a veth, pings across, and
#: prints what the sandbox saw.
ROOTLESS = """
import json, os
from netsim.backends.linux.host import KernelHost
from netsim.host.ops import AddrAdd, Dump, LinkAdd, LinkSet, NetnsAdd
with KernelHost() as h:
    for op in (NetnsAdd(name="a"), NetnsAdd(name="b"),
               LinkAdd(netns="a", ifname="eth0", kind="veth",
                       data={"peer": "eth0", "peer_netns": "b"}),
               LinkSet(netns="a", ifname="eth0", up=True),
               LinkSet(netns="b", ifname="eth0", up=True),
               AddrAdd(netns="a", ifname="eth0", address="10.0.0.1/24"),
               AddrAdd(netns="b", ifname="eth0", address="10.0.0.2/24")):
        h.apply(op)
    ping = h.sandbox.run(["ping", "-c1", "-W5", "10.0.0.2"], netns="a")
    links = [r["ifname"] for r in h.apply(Dump(netns="b", what="link"))]
    print(json.dumps({"euid": os.geteuid(), "links": links, "ping": ping.returncode,
                      "namespaces": h.namespaces()}))
"""


def _kernel_host() -> object:
    sandbox.require_kernel()
    pytest.importorskip("pyroute2")
    from netsim.backends.linux.host import KernelHost

    return KernelHost()


def _as_nobody() -> list[str]:
    """A command prefix that drops to an unprivileged user (none needed when not root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if os.environ.get("NETSIM_REQUIRE_KERNEL") == "1":
            pytest.fail("setpriv (util-linux) is needed to test the rootless path as root")
        pytest.skip("setpriv (util-linux) is not installed")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


def _interpreter(prefix: list[str], env: dict[str, str]) -> str:
    """A Python of this version the unprivileged user may run: this one, or (when it
    lives where only root can reach, e.g. under /root) the system's, given our
    site-packages (netsim's dependencies are pure Python)."""
    candidates = [sys.executable]
    system = shutil.which(f"python{sys.version_info.major}.{sys.version_info.minor}",
                          path="/usr/bin:/usr/local/bin")  # fmt: skip
    if system is not None:
        candidates.append(system)
    for python in candidates:
        # by sh's exec, as unshare will: setpriv's own exec still has root's capabilities
        probe = 'exec "$0" -c "import netsim, pyroute2"'
        r = subprocess.run([*prefix, "sh", "-c", probe, python], env=env,
                           capture_output=True, cwd="/", check=False)  # fmt: skip
        if r.returncode == 0:
            return python
    reason = f"no Python {sys.version_info.major}.{sys.version_info.minor} runs as uid {NOBODY}"
    if os.environ.get("NETSIM_REQUIRE_KERNEL") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def test_the_kernel_backend_runs_unprivileged() -> None:
    sandbox.require_kernel()
    pytest.importorskip("pyroute2")
    site = sysconfig.get_paths()["purelib"]
    env = {**os.environ, "HOME": "/tmp", "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join((str(ROOT), site))}  # fmt: skip
    prefix = _as_nobody()
    python = _interpreter(prefix, env)
    r = subprocess.run([*prefix, python, "-c", ROOTLESS], capture_output=True,
                       text=True, timeout=120, env=env, cwd="/", check=False)  # fmt: skip
    if r.returncode != 0 and "SandboxUnavailable" in r.stderr:
        reason = r.stderr.strip().splitlines()[-1]
        if os.environ.get("NETSIM_REQUIRE_KERNEL") == "1":
            pytest.fail(f"the rootless sandbox is unavailable: {reason}")
        pytest.skip(reason)
    assert r.returncode == 0, r.stderr
    seen = json.loads(r.stdout)
    assert seen["euid"] != 0
    assert seen["links"] == ["lo", "eth0"]
    assert seen["namespaces"] == ["init_net", "a", "b"]
    assert seen["ping"] == 0


def machine_state() -> dict[str, str]:
    """What the machine's own namespaces show: namespaces, links, routes."""
    out = {}
    for argv in (["ip", "netns", "list"], ["ip", "-d", "link"], ["ip", "addr"],
                 ["ip", "route", "show", "table", "all"], ["ip", "rule"]):  # fmt: skip
        r = subprocess.run(argv, capture_output=True, text=True, check=False)
        out[" ".join(argv)] = r.stdout + r.stderr
    return out


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _processes_in(pidns: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "ns" / "pid") == pidns:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_sigkill_mid_scenario_leaves_nothing_behind() -> None:
    from netsim.backends.linux.sandbox import SandboxError

    before = machine_state()
    host = _kernel_host()
    assert hasattr(host, "sandbox") and hasattr(host, "apply")
    sb = host.sandbox
    (agent,) = _children(sb.pid)
    pidns = os.readlink(f"/proc/{agent}/ns/pid")
    assert pidns != os.readlink("/proc/self/ns/pid")
    assert os.readlink(f"/proc/{agent}/ns/net") != os.readlink("/proc/self/ns/net")
    host.apply(NetnsAdd(name="node"))
    host.apply(LinkAdd(netns="node", ifname="cni0", kind="bridge"))
    host.apply(LinkSet(netns="node", ifname="cni0", up=True))
    host.apply(AddrAdd(netns="node", ifname="cni0", address="10.244.0.1/24"))
    host.apply(LinkAdd(ifname="eth0", kind="veth", data={"peer": "eth0", "peer_netns": "node"}))
    host.apply(RouteAdd(netns="node", dst="10.9.0.0/16", dev="cni0"))
    sb.run(["sh", "-c", "sleep 300 >/dev/null 2>&1 &"], netns="node")
    assert len(_processes_in(pidns)) >= 2
    assert machine_state() == before  # nothing shows outside while it runs

    stopped: list[BaseException] = []

    def churn() -> None:
        try:
            for i in range(10_000):
                host.apply(LinkAdd(netns="node", ifname=f"p{i}", kind="veth",
                                   data={"peer": f"q{i}"}))  # fmt: skip
                host.apply(Dump(netns="node", what="link"))
                host.apply(LinkDel(netns="node", ifname=f"p{i}"))
        except SandboxError as e:
            stopped.append(e)

    worker = threading.Thread(target=churn)
    worker.start()
    time.sleep(0.5)
    os.kill(sb.pid, signal.SIGKILL)
    worker.join(timeout=30)
    assert not worker.is_alive() and stopped, "the scenario did not notice the kill"
    deadline = time.monotonic() + 10
    while _processes_in(pidns) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_in(pidns) == []
    assert not Path(f"/proc/{agent}").exists()
    assert machine_state() == before
    with pytest.raises(SandboxError, match="went away"):
        host.apply(Dump(what="link"))
    host.close()


def _netsim_sh(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "netsim.cli", "sh", "--backend", "kernel", *args]
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=120,
                          cwd=ROOT, check=False)  # fmt: skip


def test_netsim_sh_kernel_runs_the_real_tools() -> None:
    sandbox.require_kernel()
    script = (
        "ip netns add a\n"
        "ip -n a link add v0 type veth peer name v1\n"
        "ip -n a -br link show v0 | cut -d' ' -f1\n"
        'echo "$0 $1" >&2\n'
        "ip -n a link add v0 type bridge\n"
    )
    r = _netsim_sh("-c", script, "name", "one")
    assert (r.stdout, r.returncode) == ("v0@v1\n", 2)
    assert r.stderr == "name one\nRTNETLINK answers: File exists\n"
    r = _netsim_sh(stdin="sysctl -n net.ipv4.ip_forward; ip netns list; exit 7\n")
    assert (r.stdout, r.stderr, r.returncode) == ("0\n", "", 7)
    assert "a" not in machine_state()["ip netns list"].split()


def test_netsim_sh_kernel_script_file(tmp_path: Path) -> None:
    sandbox.require_kernel()
    path = tmp_path / "s.sh"
    path.write_text("ip link add br0 type bridge\nbridge link\nnosuchcommand\n")
    r = _netsim_sh(str(path))
    assert r.returncode == 127
    assert r.stderr == f"{path}: line 3: nosuchcommand: command not found\n"

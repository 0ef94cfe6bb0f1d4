"""Every script under ``scenarios/`` prints the same under ``netsim sh`` as under
bash with the real tools on the real kernel (stderr folded into stdout, as the
sandbox returns it), once what only the real machine sets is normalised: random
MAC addresses and round-trip times.

The kernel side disables IPv6 in every namespace as it is made (netsim has no
IPv6 yet; its link-local addresses and multicast FDB entries would otherwise
show), by wrapping ``ip netns add``; the multicast ``self permanent`` FDB
entries the kernel lists are dropped (the model keeps no multicast lists).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netsim import World
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).parent.parent.parent
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.sh"))

V6OFF = "net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"
KERNEL_PRELUDE = f"""\
mount -t sysfs none /sys  # /sys/class/net shows the sandbox's namespace
sysctl -qw {V6OFF}
ip() {{
  command ip "$@"; local rc=$?
  if [ "$#" -ge 3 ] && [ "$1" = netns ] && [ "$2" = add ] && [ $rc = 0 ]; then
    command ip netns exec "$3" sysctl -qw {V6OFF}
  fi
  return $rc
}}
exec 2>&1
"""

_MAC = re.compile(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b")
#: A script the sandbox kernel cannot run says why in a line of its own
#: (``# kernel-skip: REASON``), e.g. the kernel lacks a module it needs.
_KERNEL_SKIP = re.compile(r"^# kernel-skip: (.+)$", re.MULTILINE)


def normalise(text: str, pinned: set[str]) -> str:
    def mac(m: re.Match[str]) -> str:
        v = m.group(0)
        keep = v in pinned or v in ("00:00:00:00:00:00", "ff:ff:ff:ff:ff:ff")
        return v if keep else "MAC"

    # the model has no multicast address lists, so no such "self permanent" entries
    text = re.sub(
        r"(?m)^(?:33:33(?::[0-9a-f]{2}){4}|01:00:5e(?::[0-9a-f]{2}){3}) dev \S+ self permanent\n",
        "",
        text,
    )
    text = _MAC.sub(mac, text)
    text = re.sub(r"time=[0-9.]+ ms", "time=X ms", text)
    # timers count down in real time on the kernel, whose commands take a few ms each
    text = re.sub(r'(timer"?:?\s*)\d+\.\d\d', r"\1X", text)  # bridge timers
    text = re.sub(r'(expires"?:?\s*)\d+', r"\1X", text)  # path-MTU exceptions
    text = re.sub(r"rtt min/avg/max/mdev = [0-9./]+ ms", "rtt X ms", text)
    return re.sub(r"time (\d+)ms", lambda m: f"time {round(int(m.group(1)) / 100)}00ms", text)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_scenario_matches_the_kernel(path: Path) -> None:
    script = path.read_text()
    if skip := _KERNEL_SKIP.search(script):
        pytest.skip(skip.group(1))
    pinned = set(_MAC.findall(script))
    kernel = sandbox.run(KERNEL_PRELUDE + script)
    sim = World(seed=1, possible_cpus=sandbox.possible_cpus()).sh(script)
    assert sim.stderr == "", "netsim printed to stderr where bash would interleave it"
    want, got = normalise(kernel, pinned), normalise(sim.stdout, pinned)
    assert got.splitlines() == want.splitlines()

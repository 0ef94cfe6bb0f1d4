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
from netsim.observe.run import KERNEL_PRELUDE as OBSERVE_PRELUDE
from netsim.observe.run import mask_stdout
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

ROOT = Path(__file__).parent.parent.parent
SCENARIOS = sorted((ROOT / "scenarios").rglob("*.sh"))

#: /sys/class/net must show the sandbox's namespace; the rest as ``netsim diff`` has it.
KERNEL_PRELUDE = "mount -t sysfs none /sys\n" + OBSERVE_PRELUDE

_MAC = re.compile(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b")
#: A script the sandbox kernel cannot run says why in a line of its own
#: (``# kernel-skip: REASON``), e.g. the kernel lacks a module it needs.
_KERNEL_SKIP = re.compile(r"^# kernel-skip: (.+)$", re.MULTILINE)


def normalise(text: str, pinned: set[str]) -> str:
    """What only the real machine sets, masked (:func:`netsim.observe.run.mask_stdout`)."""
    return mask_stdout(text, frozenset(pinned))


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

"""``netsim sh``'s ``brctl`` prints what bridge-utils 1.7.1 prints (stdout and stderr
folded, exit statuses echoed), on the same script."""

from __future__ import annotations

import os
import shutil

import pytest

from netsim import World
from tests.differential import sandbox

pytestmark = pytest.mark.kernel

SCRIPT = """\
ip link add v0 address 02:00:00:00:00:01 type veth peer name v1 address 02:00:00:00:00:02
ip link add v2 address 02:00:00:00:00:03 type veth peer name v3 address 02:00:00:00:00:04
brctl addbr br0; echo "rc $?"
brctl addbr br0; echo "rc $?"
brctl show; echo "rc $?"
brctl addif br0 v0; echo "rc $?"
brctl addif br0 v2; echo "rc $?"
brctl addif br0 v0; echo "rc $?"
brctl addbr br1; echo "rc $?"
brctl addif br1 v0; echo "rc $?"
brctl addif br1 nope; echo "rc $?"
brctl addif nobr v1; echo "rc $?"
brctl addif br1 br0; echo "rc $?"
brctl addif br1 lo; echo "rc $?"
brctl show; echo "rc $?"
brctl show br0; echo "rc $?"
brctl show nope; echo "rc $?"
brctl show br1 v0; echo "rc $?"
brctl delif br0 v1; echo "rc $?"
brctl delif br0 v2; echo "rc $?"
ip link set br0 up
brctl delbr br0; echo "rc $?"
ip link set br0 down
brctl delbr br0; echo "rc $?"
brctl delbr br0; echo "rc $?"
brctl delbr v1; echo "rc $?"
brctl addbr; echo "rc $?"
brctl show; echo "rc $?"
"""


def test_same_output_as_bridge_utils() -> None:
    sandbox.require_kernel()
    if shutil.which("brctl") is None and not os.path.exists("/usr/sbin/brctl"):
        if os.environ.get("NETSIM_REQUIRE_KERNEL") == "1":
            pytest.fail("brctl (Debian bridge-utils) is not installed")
        pytest.skip("brctl (Debian bridge-utils) is not installed")
    kernel = sandbox.run("mount -t sysfs none /sys\nexec 2>&1\n" + SCRIPT)
    res = World(seed=1).sh(SCRIPT.replace('; echo "rc $?"', ' 2>&1; echo "rc $?"'))
    assert res.stderr == ""
    assert res.stdout.splitlines() == kernel.splitlines()

"""The simulator and the real kernel, after the same link operations, dump the same state.

Every sequence runs once on the kernel (one sandbox for the whole batch) and
once on the model; per operation the error line must match, and afterwards
``ip -j link``, ``bridge -j fdb`` and ``bridge -j link`` of every namespace
must match field by field after normalisation (see ``l2ops.normalise``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from tests.differential import sandbox
from tests.differential.l2ops import (
    Op,
    kernel_script,
    normalise,
    parse_kernel,
    pinned_macs,
    random_sequence,
    sim_run,
    to_shell,
)
from tests.differential.l3ops import random_l3_sequence

pytestmark = pytest.mark.kernel

M = "02:00:00:00:{:02x}:{:02x}".format
N_L3 = 40

# Hand-written sequences after the transcripts in reference/kernel.md.
SCENARIOS: dict[str, list[Op]] = {
    "T16-veth": [
        ("netns", "v1"),
        ("netns", "v2"),
        ("veth", "v1", "p1", "p2", "v1", M(1, 1), M(1, 2)),
        ("up", "v1", "p1"),
        ("up", "v1", "p2"),
        ("move", "v1", "p2", "v2"),
        ("veth", "v2", "p1", "p1b", "v2", M(1, 3), M(1, 4)),
        ("move", "v2", "p1b", "v1"),
        ("veth", "v1", "t9", "u9", "v1", M(1, 5), M(1, 6)),
        ("mtu", "v1", "t9", 9000),
        ("mtu", "v1", "t9", 67),
        ("mtu", "v1", "t9", 65536),
        ("up", "v1", "u9"),
    ],
    "T17-bridge": [
        ("netns", "kb"),
        ("netns", "k1"),
        ("netns", "k2"),
        ("netns", "k3"),
        ("bridge", "kb", "br0", None),
        ("up", "kb", "br0"),
        *[("veth", f"k{i}", "eth0", f"vh{i}", "kb", M(0, i), M(1, i)) for i in (1, 2, 3)],
        ("master", "kb", "vh3", "br0"),
        ("master", "kb", "vh1", "br0"),
        ("master", "kb", "vh2", "br0"),
        ("up", "kb", "vh1"),
        ("up", "kb", "vh2"),
        ("up", "k2", "eth0"),
        ("up", "k3", "eth0"),
        ("up", "kb", "vh3"),
        ("master", "kb", "vh1", None),
        ("fdb_add", "kb", "vh3", M(0, 0x77), "static"),
        ("fdb_add", "kb", "vh3", M(0, 0x78), "permanent"),
        ("fdb_add", "kb", "vh3", M(0, 0x79), "dynamic"),
        ("fdb_add", "kb", "vh3", M(0, 0x77), "static"),
        ("port", "kb", "vh2", "hairpin", True),
        ("port", "kb", "vh3", "learning", False),
        ("address", "kb", "br0", M(0xB, 0xB)),
        ("master", "kb", "vh1", "br0"),
    ],
    "T37-netns-del": [
        ("netns", "n6b"),
        ("netns", "n6h"),
        ("bridge", "n6b", "br0", None),
        ("up", "n6b", "br0"),
        ("veth", "n6h", "eth0", "p1", "n6b", M(6, 1), M(6, 2)),
        ("master", "n6b", "p1", "br0"),
        ("up", "n6b", "p1"),
        ("up", "n6h", "eth0"),
        ("netns_del", "n6h"),
    ],
    "errors": [
        ("netns", "e1"),
        ("netns", "e2"),
        ("bridge", "e1", "br0", None),
        ("bridge", "e1", "br1", M(0xE, 1)),
        ("up", "e1", "br1"),
        ("master", "e1", "br1", "br0"),
        ("veth", "e1", "v1", "v2", "e1", M(0xE, 2), M(0xE, 3)),
        ("veth", "e1", "v1", "v3", "e1", M(0xE, 4), M(0xE, 5)),
        ("master", "e1", "v1", "v2"),
        ("bridge", "e2", "v1", None),
        ("move", "e1", "v1", "e2"),
        ("move", "e1", "br0", "e2"),
        ("name", "e1", "v1", "v2"),
        ("del", "e1", "nosuch"),
        ("address", "e1", "v1", "01:00:00:00:00:01"),
        ("fdb_add", "e1", "br0", M(0xE, 6), "permanent"),
    ],
}


def _compare(
    name: str, seq: Sequence[Op], k_err: dict[int, str], k_dump: dict[str, object]
) -> None:
    s_err, s_dump = sim_run(seq)
    for j, op in enumerate(seq):
        assert s_err[j] == k_err.get(j, ""), (
            f"{name}: op {j} `{to_shell(op)}`: simulator said {s_err[j]!r}, "
            f"kernel said {k_err.get(j, '')!r}"
        )
    pinned = pinned_macs(seq)
    assert sorted(s_dump) == sorted(k_dump), f"{name}: namespaces differ"
    for ns in s_dump:
        got = normalise(s_dump[ns], pinned)
        want = normalise(k_dump[ns], pinned)  # type: ignore[arg-type]
        for table in ("link", "fdb", "brlink", "addr", "route", "rule"):
            assert got[table] == want[table], (
                f"{name}: netns {ns} `{table}` differs\n"
                f"ops:\n  " + "\n  ".join(to_shell(o) for o in seq) + f"\n"
                f"simulator: {got[table]}\nkernel:    {want[table]}"
            )


@pytest.fixture(scope="module")
def kernel_results() -> dict[str, tuple[dict[int, str], dict[str, object]]]:
    sandbox.require_kernel()
    rng = random.Random(20261129)
    seqs = dict(SCENARIOS)
    for i in range(40):
        seqs[f"random-{i}"] = random_sequence(rng, f"r{i}")
    for i in range(N_L3):
        seqs[f"l3-{i}"] = random_l3_sequence(rng, f"q{i}")
    names = list(seqs)
    out = sandbox.run(kernel_script([seqs[n] for n in names]))
    errors, dumps = parse_kernel(out, len(names))
    return {n: (seqs[n], errors[i], dumps[i]) for i, n in enumerate(names)}  # type: ignore[misc]


@pytest.mark.parametrize(
    "name",
    [*SCENARIOS, *(f"random-{i}" for i in range(40)), *(f"l3-{i}" for i in range(N_L3))],
)
def test_same_state_as_the_kernel(kernel_results: dict[str, tuple], name: str) -> None:  # type: ignore[type-arg]
    seq, k_err, k_dump = kernel_results[name]
    _compare(name, seq, k_err, k_dump)

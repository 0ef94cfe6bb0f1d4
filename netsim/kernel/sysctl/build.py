"""Builds of the modelled kernel: what differs in the sysctl tree from one build of a
release to another.

The defaults (``_defaults.py``) were captured on one build; another build of the
same release may lack a ``CONFIG_`` option (and with it the files the option
adds) or carry a patch that changes a handler's bounds.  Each build netsim knows
is checked against the real one by ``tests/differential/test_sysctl_kernel.py``,
which picks the build by ``uname -r``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from netsim.kernel.sysctl import _defaults as D

__all__ = ["BUILDS", "DEFAULT_BUILD", "OPTION_KEYS", "KernelBuild"]

#: ``CONFIG_`` option -> the per-device ``net.ipv6.conf`` files only it adds
#: (``addrconf_sysctl`` lists them under ``#ifdef``).
OPTION_KEYS: Final[dict[str, tuple[str, ...]]] = {
    "CONFIG_IPV6_MROUTE": ("mc_forwarding",),
    "CONFIG_IPV6_SEG6_HMAC": ("seg6_require_hmac",),
}


@dataclass(frozen=True, slots=True)
class KernelBuild:
    """One build of the kernel release the model mirrors."""

    release: str
    #: ``CONFIG_`` options (of :data:`OPTION_KEYS`) this build is made without.
    without: frozenset[str] = frozenset()
    #: The least value each of ``tcp_rmem``'s three numbers takes (``extra1``).
    tcp_rmem_min: int = 1

    def conf6_absent(self) -> frozenset[str]:
        """The ``net.ipv6.conf.*`` file names this build does not have."""
        return frozenset(k for option in self.without for k in OPTION_KEYS[option])


#: ``uname -r`` -> build, for each build the model has been compared with.
BUILDS: Final[dict[str, KernelBuild]] = {
    b.release: b
    for b in (
        KernelBuild(D.KERNEL),
        # seen 2026-12: no multicast routing or SRv6 HMAC for IPv6, and tcp_rmem's
        # numbers refused below 4096 (EINVAL; 4096 and above are taken)
        KernelBuild(
            "6.18.44-fc-v1300",
            without=frozenset({"CONFIG_IPV6_MROUTE", "CONFIG_IPV6_SEG6_HMAC"}),
            tcp_rmem_min=4096,
        ),
    )
}
#: The build the defaults were captured on.
DEFAULT_BUILD: Final = BUILDS[D.KERNEL]

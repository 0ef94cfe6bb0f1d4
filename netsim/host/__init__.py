"""The Host seam: netlink-shaped operations (:mod:`netsim.host.ops`) that a
backend applies, the simulator (:class:`netsim.backends.sim.host.SimHost`) or
the real kernel in a sandbox (:class:`netsim.backends.linux.host.KernelHost`).

::

    plugins, control plane, observe ──ops──▶ Host.apply(op) ──▶ SimHost    (the model)
                                                            └─▶ KernelHost (real netns)
"""

from netsim.host.protocol import Host, OpResult

__all__ = ["Host", "OpResult"]

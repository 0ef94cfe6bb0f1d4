"""The Host protocol: one method to apply an operation, one to let go.

A backend raises :class:`~netsim.errors.KernelError` with the kernel's errno
and, where iproute2 would show one, the kernel's message; a dump returns
records in iproute2's JSON shapes, so one observation format serves both
backends.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from netsim.host.ops import Op

__all__ = ["Host", "OpResult"]

#: ``None`` for a change; a list of records for a :class:`~netsim.host.ops.Dump`
#: (and a :class:`~netsim.host.ops.LinkGet` or :class:`~netsim.host.ops.RouteGet`);
#: a string for a :class:`~netsim.host.ops.SysctlGet`; a count for a
#: :class:`~netsim.host.ops.ConntrackDelete`.
OpResult = list[dict[str, Any]] | str | int | None


@runtime_checkable
class Host(Protocol):
    """Where operations take effect (httpx's transport, for networks)."""

    def apply(self, op: Op) -> OpResult:
        """Apply one operation; raise :class:`~netsim.errors.KernelError` if refused."""
        ...

    def namespaces(self) -> list[str]:
        """Every namespace, ``init_net`` first, then by name."""
        ...

    def close(self) -> None:
        """Release what the backend holds (the kernel backend's sandbox goes away)."""
        ...

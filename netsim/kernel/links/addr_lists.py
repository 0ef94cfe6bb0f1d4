"""A device's own unicast address list (``dev->uc``): ``dev_uc_add()`` and
``dev_uc_del()`` of ``net/core/dev_addr_lists.c`` with their reference counts,
and ``ndo_dflt_fdb_add()``/``ndo_dflt_fdb_del()`` (``net/core/rtnetlink.c``),
what ``bridge fdb add|del MAC dev DEV self`` does on a device that is not a
bridge.

:class:`~netsim.kernel.links.base.Link` binds these functions as its methods
of the same names.
"""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from netsim.errors import KernelError

if TYPE_CHECKING:
    from netsim.addr import MacAddr
    from netsim.kernel.links.base import Link

__all__ = ["fdb_add_self", "fdb_del_self", "uc_add", "uc_del"]


def fdb_add_self(self: Link, mac: MacAddr, *, permanent: bool = True, excl: bool = True) -> None:
    """``ndo_dflt_fdb_add()``: a static unicast address on the device itself."""
    if not permanent or mac.is_multicast:
        raise KernelError(errno.EINVAL)
    if mac in self.uc_list:
        if excl:
            raise KernelError(errno.EEXIST)
        return
    self.uc_add(mac)


def fdb_del_self(self: Link, mac: MacAddr) -> None:
    """``ndo_dflt_fdb_del()``."""
    if mac not in self.uc_list:
        raise KernelError(errno.ENOENT)
    self.uc_del(mac)


def uc_add(self: Link, mac: MacAddr) -> None:
    """``dev_uc_add()``: one more user of ``mac`` on the unicast list (an
    upper macvlan's address while it is up)."""
    if mac not in self.uc_refs:
        self.uc_list.append(mac)
    self.uc_refs[mac] = self.uc_refs.get(mac, 0) + 1


def uc_del(self: Link, mac: MacAddr) -> None:
    """``dev_uc_del()``: one user fewer; the entry goes with the last."""
    left = self.uc_refs.get(mac, 0) - 1
    if left > 0:
        self.uc_refs[mac] = left
        return
    self.uc_refs.pop(mac, None)
    if mac in self.uc_list:
        self.uc_list.remove(mac)

"""Namespace files for ``netsim sh``: ``/proc/PID/ns/*`` and ``/run/netns/NAME``.

* ``/proc/self`` and ``/proc/1`` (the script's shell, :data:`~netsim.shell.proc.
  SHELL_PID`) each hold ``ns/``, whose ``net`` is a symbolic link to
  ``net:[INUM]``, the inode number of the network namespace the process is in
  (``self``: the namespace the reading command runs in, so ``ip netns exec a
  readlink /proc/self/ns/net`` shows ``a``'s).  The other namespaces of a
  process (``cgroup``, ``ipc``, ``mnt``, ``pid``, ``user``, ``uts``, ``time``)
  are not modelled: the machine has one of each, with fixed numbers.
* ``/run/netns`` lists the namespaces ``ip netns add`` made; each ``NAME`` there
  is an nsfs file (reading it is ``Invalid argument``) that names the
  namespace, as does a file a namespace was bind-mounted on (``mount --bind
  /proc/$$/ns/net /tmp/net``), which ``nsenter --net=FILE`` enters.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from netsim.kernel import INIT_NET
from netsim.shell.proc import SHELL_PID

if TYPE_CHECKING:
    from netsim.world import World

__all__ = ["NS_NAMES", "RUN_NETNS", "ns_node"]

RUN_NETNS: Final = "/run/netns"
#: ``/proc/PID/ns`` entries, as 6.18 lists them.
NS_NAMES: Final = ("cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
                   "time_for_children", "user", "uts")  # fmt: skip
#: The one namespace of each other kind (fixed numbers: these are not modelled).
_OTHER_INUM: Final = {"cgroup": 4026532176, "ipc": 4026532174, "mnt": 4026532171,
                      "pid": 4026532175, "pid_for_children": 4026532175, "time": 4026531834,
                      "time_for_children": 4026531834, "user": 4026532170,
                      "uts": 4026532173}  # fmt: skip
#: The processes ``/proc`` lists.
PIDS: Final = (str(SHELL_PID), "self")

Node = tuple[str, object]


def _proc_pid(world: World, netns: str, parts: list[str]) -> Node | None:
    """``/proc/PID/...``: ``("dir", entries)`` or ``("link", target)``."""
    pid, rest = parts[0], parts[1:]
    if pid not in PIDS:
        return None
    if not rest:
        return "dir", ["ns"]
    if rest[0] != "ns":
        return None
    if len(rest) == 1:
        return "dir", list(NS_NAMES)
    if len(rest) != 2 or rest[1] not in NS_NAMES:
        return None
    if rest[1] == "net":
        ns = world.netns(netns if pid == "self" else INIT_NET)
        return "link", f"net:[{ns.inum}]"
    return "link", f"{rest[1].removesuffix('_for_children')}:[{_OTHER_INUM[rest[1]]}]"


def ns_node(world: World, netns: str, path: str) -> Node | None:
    """Resolve ``path`` under ``/proc/PID`` or ``/run/netns`` (``("nsfile",
    NAME)`` for a namespace's file), or None."""
    if path.startswith("/proc/"):
        parts = [p for p in path[len("/proc/") :].split("/") if p]
        return _proc_pid(world, netns, parts) if parts else None
    if path == RUN_NETNS:  # made by the first ``ip netns add``
        names = sorted(n for n in world.kernel.namespaces if n != INIT_NET)
        return ("dir", names) if names else None
    if path.startswith(RUN_NETNS + "/"):
        name = path[len(RUN_NETNS) + 1 :]
        if name != INIT_NET and name in world.kernel.namespaces:
            return "nsfile", name
    return None

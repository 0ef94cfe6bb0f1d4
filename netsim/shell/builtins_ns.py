"""``touch``, ``readlink``, ``mount --bind``, ``umount`` and ``nsenter --net``
(coreutils 9.1, util-linux 2.38): what a script needs to hold a network
namespace by a file and enter it (``touch /tmp/net; mount --bind
/proc/$$/ns/net /tmp/net; nsenter --net=/tmp/net ip link``).

Only network namespace files can be bind-mounted (``/proc/PID/ns/net``,
``/run/netns/NAME``, or a file one was bound on); the model does not keep a
namespace alive by its mounts, so ``ip netns del`` ends it even where the
kernel would keep it for another mount.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.shell.fs import FsError
from netsim.shell.proc import SHELL_PID, Proc

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["NS_BUILTINS"]

_DMESG: Final = "       dmesg(1) may have more information after failed mount system call.\n"


def touch(sh: Shell, p: Proc) -> int:
    """``touch FILE...``: make each missing file (times are not modelled)."""
    names = p.argv[1:]
    if not names:
        p.err("touch: missing file operand\nTry 'touch --help' for more information.\n")
        return 1
    status = 0
    for name in names:
        if sh.fs.exists(name):
            continue
        try:
            sh.fs.write(name, "", append=True)
        except FsError as e:
            p.err(f"touch: cannot touch '{name}': {e.strerror}\n")
            status = 1
    return status


def readlink(sh: Shell, p: Proc) -> int:
    """``readlink FILE...``: each symbolic link's target; status 1 for anything else."""
    names = p.argv[1:]
    if any(n.startswith("-") and n != "-" for n in names):
        p.err("netsim: readlink: options are not supported\n")
        return 1
    if not names:
        p.err("readlink: missing operand\nTry 'readlink --help' for more information.\n")
        return 1
    status = 0
    for name in names:
        target = sh.fs.readlink(name)
        if target is None:
            status = 1
        else:
            p.out(target + "\n")
    return status


def mount(sh: Shell, p: Proc) -> int:
    """``mount --bind SRC DST`` (``-B``, ``-o bind``) of a network namespace file."""
    args = p.argv[1:]
    bind = False
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--bind", "-B"):
            bind = True
        elif a == "-o" and i + 1 < len(args) and args[i + 1] == "bind":
            bind, i = True, i + 1
        else:
            rest.append(a)
        i += 1
    if not bind or len(rest) != 2:
        p.err("netsim: mount: only 'mount --bind SRC DST' of a namespace file is modelled\n")
        return 32
    src, dst = rest
    if not sh.fs.exists(src):
        p.err(f"mount: {dst}: special device {src} does not exist.\n{_DMESG}")
        return 32
    if not sh.fs.exists(dst):
        p.err(f"mount: {dst}: mount point does not exist.\n{_DMESG}")
        return 32
    netns = sh.fs.netns(src)
    if netns is None:
        p.err("netsim: mount: only a network namespace file can be bind-mounted\n")
        return 32
    if sh.fs.is_dir(dst):
        p.err(f"mount: {dst}: mount(2) system call failed: Not a directory.\n{_DMESG}")
        return 32
    sh.fs.binds[sh.fs.path(dst)] = netns
    return 0


def umount(sh: Shell, p: Proc) -> int:
    """``umount DST`` of a bind mount made with :func:`mount`."""
    status = 0
    for name in p.argv[1:]:
        path = sh.fs.path(name)
        if path in sh.fs.binds:
            del sh.fs.binds[path]
        elif sh.fs.exists(name):
            p.err(f"umount: {name}: not mounted.\n")
            status = 32
        else:
            p.err(f"umount: {name}: no mount point specified.\n")
            status = 32
    return status


def nsenter(sh: Shell, p: Proc) -> int:
    """``nsenter --net=FILE CMD...`` (``-nFILE``; ``-t PID -n``): run CMD in the
    network namespace FILE stands for (or PID's)."""
    args = p.argv[1:]
    file: str | None = None
    net = False
    target: str | None = None
    i = 0
    while i < len(args) and args[i].startswith("-"):
        a = args[i]
        if a.startswith("--net="):
            net, file = True, a[len("--net=") :]
        elif a.startswith("-n") and len(a) > 2:
            net, file = True, a[2:]
        elif a in ("-n", "--net"):
            net = True
        elif a in ("-t", "--target") and i + 1 < len(args):
            target, i = args[i + 1], i + 1
        else:
            p.err(f"netsim: nsenter: option {a} is not supported\n")
            return 1
        i += 1
    cmd = args[i:]
    if not net:
        p.err("netsim: nsenter: only --net is modelled\n")
        return 1
    if file is None:
        if target is None:
            p.err("nsenter: neither filename nor target pid supplied for ns/net\n")
            return 1
        file = f"/proc/{target}/ns/net"
        if target != str(SHELL_PID):
            p.err(f"nsenter: cannot open {file}: No such file or directory\n")
            return 1
    if not sh.fs.exists(file):
        p.err(f"nsenter: cannot open {file}: No such file or directory\n")
        return 1
    netns = sh.fs.netns(file)
    if netns is None or netns not in sh.world.kernel.namespaces:
        p.err("nsenter: reassociate to namespace 'ns/net' failed: Invalid argument\n")
        return 1
    if not cmd:
        p.err("netsim: nsenter: an interactive shell is not supported; give a command\n")
        return 1
    inner = Proc(sh.world, netns, cmd, p.stdin, p.env, p.stdout, p.stderr, p.run)
    return sh.run_proc(inner)


NS_BUILTINS: Final[dict[str, Callable[[Shell, Proc], int]]] = {
    "touch": touch,
    "readlink": readlink,
    "mount": mount,
    "umount": umount,
    "nsenter": nsenter,
}

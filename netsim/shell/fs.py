"""The in-memory filesystem a :class:`~netsim.shell.Shell` owns (never the real
disk).  Paths are resolved against a fixed working directory; ``/dev/null``
reads empty and swallows writes."""

from __future__ import annotations

import posixpath
from typing import Final, Protocol

__all__ = ["DEV_NULL", "FsError", "MemFs", "Overlay"]

DEV_NULL: Final = "/dev/null"
ENOENT: Final = "No such file or directory"
EEXIST: Final = "File exists"
EISDIR: Final = "Is a directory"
ENOTDIR: Final = "Not a directory"
EADDRINUSE: Final = "Address already in use"
ECONNREFUSED: Final = "Connection refused"


class FsError(Exception):
    """``strerror`` is the text coreutils print (``No such file or directory``)."""

    def __init__(self, strerror: str):
        super().__init__(strerror)
        self.strerror = strerror


class Overlay(Protocol):
    """Read-only virtual files (``/sys``, ``/proc``, ``/run/netns``) consulted
    before the memory."""

    def read(self, path: str) -> str | None: ...
    def listdir(self, path: str) -> list[str] | None: ...
    def isdir(self, path: str) -> bool: ...
    def exists(self, path: str) -> bool: ...
    def readlink(self, path: str) -> str | None: ...
    def netns(self, path: str) -> str | None: ...
    def virtual_under(self, path: str) -> bool:
        """Whether ``path`` or anything below it is virtual."""
        ...


#: The directories a fresh machine has (Debian's base layout, what scripts and
#: plugins take for granted).
SKELETON: Final = ("/", "/dev", "/etc", "/opt", "/root", "/run", "/tmp", "/usr", "/usr/lib",
                   "/var", "/var/lib", "/var/tmp")  # fmt: skip


class MemFs:
    """Directories and text files, by absolute normalized path; relative paths
    are resolved against ``cwd`` (``cd`` changes it).  ``/var/run`` is ``/run``
    (a symbolic link on Debian)."""

    def __init__(self, cwd: str = "/root"):
        self.dirs: set[str] = set(SKELETON)
        #: (``/etc/sysctl.conf`` holds only comments on a fresh Debian machine.)
        self.files: dict[str, str] = {DEV_NULL: "", "/etc/sysctl.conf": ""}
        #: Directory -> the names in it (an index over ``dirs`` and ``files``).
        self.kids: dict[str, set[str]] = {}
        for q in (*self.dirs, *self.files):
            self._link(q)
        self.cwd = cwd
        self.overlay: Overlay | None = None
        #: Files a network namespace is bind-mounted on (``mount --bind
        #: /proc/$$/ns/net FILE``) -> that namespace's name.
        self.binds: dict[str, str] = {}
        #: Unix sockets listening at a path (the path is also in ``files``).
        self.sockets: dict[str, object] = {}

    def _link(self, p: str) -> None:
        """Enter ``p`` in its parent's index (and give a directory its own)."""
        if p in self.dirs:
            self.kids.setdefault(p, set())
        if p != "/":
            parent, _, base = p.rpartition("/")
            self.kids.setdefault(parent or "/", set()).add(base)

    def _unlink(self, p: str) -> None:
        parent, _, base = p.rpartition("/")
        kids = self.kids.get(parent or "/")
        if kids is not None:
            kids.discard(base)

    def path(self, name: str) -> str:
        if (name[:1] == "/" and "//" not in name and "/." not in name and name[-1] != "/"
                and not name.startswith("/var/run")):  # fmt: skip
            return name  # absolute and normal already (the common case)
        p = "/" + posixpath.normpath(posixpath.join(self.cwd, name)).lstrip("/")
        if p == "/var/run" or p.startswith("/var/run/"):
            p = "/run" + p[len("/var/run") :]
        return p

    def is_dir(self, name: str) -> bool:
        p = self.path(name)
        return p in self.dirs or (self.overlay is not None and self.overlay.isdir(p))

    def file_test(self, op: str, name: str) -> bool:
        """``test``'s file operators: ``-e`` exists, ``-f`` a regular file,
        ``-d`` a directory, ``-S`` a socket (coreutils/bash ``stat`` checks)."""
        if name == "" or not self.exists(name):
            return False
        if op == "-e":
            return True
        p = self.path(name)
        if op == "-S":
            return p in self.sockets
        if self.is_dir(p):
            return op == "-d"
        return op == "-f" and p not in self.sockets

    def exists(self, name: str) -> bool:
        p = self.path(name)
        if p in self.dirs or p in self.files:
            return True
        return self.overlay is not None and self.overlay.exists(p)

    def _check_parent(self, p: str) -> None:
        parent = posixpath.dirname(p)
        if parent not in self.dirs:
            raise FsError(ENOTDIR if parent in self.files else ENOENT)

    def readlink(self, name: str) -> str | None:
        """A symbolic link's target (only the virtual ``/proc/PID/ns/*`` are links)."""
        p = self.path(name)
        return self.overlay.readlink(p) if self.overlay is not None else None

    def netns(self, name: str) -> str | None:
        """The network namespace file ``name`` stands for (a bind mount, a
        ``/run/netns`` entry, a ``/proc/PID/ns/net`` link), or None."""
        p = self.path(name)
        if p in self.binds:
            return self.binds[p]
        return self.overlay.netns(p) if self.overlay is not None else None

    def read(self, name: str) -> str:
        p = self.path(name)
        if p in self.binds:
            raise FsError("Invalid argument")  # nsfs
        if self.overlay is not None:
            text = self.overlay.read(p)
            if text is not None:
                return text
            if self.overlay.isdir(p):
                raise FsError(EISDIR)
        if p in self.dirs:
            raise FsError(EISDIR)
        if p not in self.files:
            raise FsError(ENOENT)
        if p in self.sockets:
            raise FsError("No such device or address")  # ENXIO: open() of a socket
        return self.files[p]

    def write(self, name: str, text: str, *, append: bool = False) -> None:
        p = self.path(name)
        if p == DEV_NULL:
            return
        if p in self.dirs:
            raise FsError(EISDIR)
        self._check_parent(p)
        if p not in self.files:
            self._link(p)
        self.files[p] = (self.files.get(p, "") if append else "") + text

    def mkdir(self, name: str, *, parents: bool = False) -> None:
        p = self.path(name)
        if parents:
            parts = [q for q in p.split("/") if q]
            cur = ""
            for q in parts:
                cur += "/" + q
                if cur in self.files:
                    raise FsError(EEXIST if cur == p else ENOTDIR)
                if cur not in self.dirs:
                    self.dirs.add(cur)
                    self._link(cur)
            return
        if p in self.dirs or p in self.files:
            raise FsError(EEXIST)
        self._check_parent(p)
        self.dirs.add(p)
        self._link(p)

    def bind_socket(self, name: str, listener: object) -> None:
        """``bind()`` of a unix socket: the path must not exist; its directory must."""
        p = self.path(name)
        if self.exists(p):
            raise FsError(EADDRINUSE)
        self._check_parent(p)
        self.files[p] = ""
        self._link(p)
        self.sockets[p] = listener

    def connect(self, name: str) -> object:
        """``connect()`` to a unix socket: its listener, ``ENOENT`` without the
        path, ``ECONNREFUSED`` when nothing listens there."""
        p = self.path(name)
        if not self.exists(p):
            raise FsError(ENOENT)
        listener = self.sockets.get(p)
        if listener is None:
            raise FsError(ECONNREFUSED)
        return listener

    def listdir(self, name: str) -> list[str]:
        p = self.path(name)
        if self.overlay is not None:
            virtual = self.overlay.listdir(p)
            if virtual is not None:
                return virtual
        if p not in self.dirs:
            raise FsError(ENOTDIR if p in self.files else ENOENT)
        names = set(self.kids.get(p, ()))
        if p == "/" and self.overlay is not None:  # the virtual trees' mount points
            names |= {n for n in ("proc", "sys") if self.overlay.isdir("/" + n)}
        if p == "/var":
            names.add("run")
        if p == "/run" and self.overlay is not None and self.overlay.isdir("/run/netns"):
            names.add("netns")
        return sorted(names)

    def remove(self, name: str, *, recursive: bool = False) -> None:
        p = self.path(name)
        if p in self.files:
            del self.files[p]
            self.sockets.pop(p, None)
            self._unlink(p)
            return
        if p not in self.dirs:
            raise FsError(ENOENT)
        if not recursive:
            raise FsError(EISDIR)
        prefix = p.rstrip("/") + "/"
        self.dirs = {d for d in self.dirs if d != p and not d.startswith(prefix)}
        self.files = {f: t for f, t in self.files.items() if not f.startswith(prefix)}
        self.sockets = {f: s for f, s in self.sockets.items() if not f.startswith(prefix)}
        self.kids = {d: k for d, k in self.kids.items() if d != p and not d.startswith(prefix)}
        self._unlink(p)

    def walk_files(self, name: str) -> list[tuple[str, str]]:
        """Every readable regular file under directory ``name`` with its text, in
        ``filepath.Walk``'s lexical order (nothing when it is no directory)."""
        p = self.path(name)
        overlay = self.overlay
        if (
            p not in self.dirs
            or p in ("/", "/var")
            or (overlay is not None and overlay.virtual_under(p))
        ):
            return self._walk_slow(p)  # virtual trees, or /var/run (a link) below
        out: list[tuple[str, str]] = []
        self._walk_into(p.rstrip("/") + "/", out)
        return out

    def _walk_into(self, prefix: str, out: list[tuple[str, str]]) -> None:
        files, dirs, special = self.files, self.dirs, (self.binds, self.sockets)
        for n in sorted(self.kids.get(prefix.rstrip("/") or "/", ())):
            q = prefix + n
            if q in dirs:
                self._walk_into(q + "/", out)
            elif q in files and q not in special[0] and q not in special[1]:
                out.append((q, files[q]))

    def _walk_slow(self, p: str) -> list[tuple[str, str]]:
        try:
            names = self.listdir(p)
        except FsError:
            return []
        out: list[tuple[str, str]] = []
        for n in names:
            q = posixpath.join(p, n)
            if self.is_dir(q):
                out += self._walk_slow(q)
                continue
            try:
                out.append((q, self.read(q)))
            except FsError:
                continue
        return out

"""The filesystem a CNI plugin sees: a small interface over the world's
in-memory filesystem (:class:`netsim.shell.fs.MemFs`) so that a per-node
filesystem can replace it later.  Errors are :class:`OSError`-like
:class:`PluginFsError` carrying Go's ``*PathError`` text.  Unix sockets live
there too: :meth:`PluginFs.dial_unix` reaches the program listening at a path
(the dhcp IPAM plugin's daemon)."""

from __future__ import annotations

import posixpath
from typing import Any, Protocol, cast

from netsim.shell.fs import FsError, MemFs

__all__ = ["DialError", "MemPluginFs", "PluginFs", "PluginFsError", "RpcError", "RpcServer"]


class PluginFsError(Exception):
    """``op path: strerror`` as Go's ``os.PathError`` prints it; ``exist`` and
    ``notexist`` mirror ``os.IsExist`` / ``os.IsNotExist``."""

    def __init__(self, op: str, path: str, strerror: str):
        super().__init__(f"{op} {path}: {strerror.lower()}")
        self.strerror = strerror

    @property
    def notexist(self) -> bool:
        return self.strerror == "No such file or directory"

    @property
    def exist(self) -> bool:
        return self.strerror == "File exists"


class DialError(Exception):
    """``connect()`` to a unix socket failed: ``strerror`` as Go prints it
    (``no such file or directory``, ``connection refused``)."""

    def __init__(self, strerror: str):
        super().__init__(strerror)
        self.strerror = strerror


class RpcError(Exception):
    """The error string a ``net/rpc`` call returns (``rpc.ServerError``)."""


class RpcServer(Protocol):
    """A ``net/rpc`` server at a unix socket: ``call`` returns the reply or
    raises with the server's error string."""

    def call(self, method: str, args: Any) -> Any: ...


class PluginFs(Protocol):
    """What the IPAM plugins need: whole-file reads and writes, exclusive
    create, listing, removal and ``mkdir -p``.  Paths are absolute."""

    def read(self, path: str) -> str: ...
    def write(self, path: str, data: str) -> None: ...
    def create_excl(self, path: str, data: str) -> bool:
        """Create ``path`` with ``data`` unless it exists (``O_EXCL``); False if it did."""
        ...

    def listdir(self, path: str) -> list[str]: ...
    def is_dir(self, path: str) -> bool: ...
    def exists(self, path: str) -> bool:
        """``os.Stat`` succeeds (file or directory)."""
        ...

    def remove(self, path: str) -> None: ...
    def walk_files(self, path: str) -> list[tuple[str, str]]:
        """``filepath.Walk`` over the regular files under ``path`` that can be
        read: (path, content) in lexical order; nothing when it is no directory."""
        ...

    def mkdir_all(self, path: str) -> None: ...
    def dial_unix(self, path: str) -> RpcServer:
        """``net.Dial("unix", path)``: the server listening there, or :class:`DialError`."""
        ...


class MemPluginFs:
    """:class:`PluginFs` over a :class:`netsim.shell.fs.MemFs`."""

    def __init__(self, mem: MemFs):
        self.mem = mem

    def _wrap(self, op: str, path: str, e: Exception) -> PluginFsError:
        return PluginFsError(op, path, getattr(e, "strerror", str(e)))

    def read(self, path: str) -> str:
        try:
            return self.mem.read(path)
        except FsError as e:
            raise self._wrap("open", path, e) from None

    def write(self, path: str, data: str) -> None:
        try:
            self.mem.write(path, data)
        except FsError as e:
            raise self._wrap("open", path, e) from None

    def create_excl(self, path: str, data: str) -> bool:
        if self.mem.exists(path):
            return False
        self.write(path, data)
        return True

    def listdir(self, path: str) -> list[str]:
        try:
            return self.mem.listdir(path)
        except FsError as e:
            raise self._wrap("open", path, e) from None

    def is_dir(self, path: str) -> bool:
        return self.mem.is_dir(path)

    def exists(self, path: str) -> bool:
        return self.mem.exists(path)

    def remove(self, path: str) -> None:
        try:
            self.mem.remove(path)
        except FsError as e:
            raise self._wrap("remove", path, e) from None

    def walk_files(self, path: str) -> list[tuple[str, str]]:
        return self.mem.walk_files(path)

    def mkdir_all(self, path: str) -> None:
        if self.mem.is_dir(path):
            return  # so are all its parents
        cur = "/"
        for part in [p for p in path.split("/") if p]:
            cur = posixpath.join(cur, part)
            if self.mem.is_dir(cur):
                continue
            try:
                self.mem.mkdir(cur)
            except FsError as e:
                raise self._wrap("mkdir", cur, e) from None

    def dial_unix(self, path: str) -> RpcServer:
        try:
            server = self.mem.connect(path)
        except FsError as e:
            raise DialError(e.strerror.lower()) from None
        return cast(RpcServer, server)

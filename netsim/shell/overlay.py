"""The virtual ``/sys``, ``/proc`` and ``/run/netns`` files a
:class:`~netsim.shell.interp.Shell` sees, from :mod:`netsim.shell.sysfs`
(imported lazily: absent, there are none)."""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any, Final, cast

from netsim.shell.fs import FsError

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["SysOverlay"]

_ROOTS: Final = ("/sys", "/proc", "/run/netns")
_UNDER: Final = tuple(r + "/" for r in _ROOTS)


def _virtual(path: str) -> bool:
    """Whether ``path`` is in one of the virtual trees (nothing else is asked about)."""
    return path.startswith(_ROOTS) and (path in _ROOTS or path.startswith(_UNDER))


class SysOverlay:
    """The virtual ``/sys``, ``/proc`` and ``/run/netns`` files of the shell's namespace
    (:mod:`netsim.shell.sysfs`, when present)."""

    def __init__(self, shell: Shell):
        self.shell = shell
        self._module: Any = False

    def _mod(self) -> Any:
        if self._module is False:
            try:
                self._module = importlib.import_module("netsim.shell.sysfs")
            except ImportError:
                self._module = None
        return self._module

    def read(self, path: str) -> str | None:
        mod = self._mod() if _virtual(path) else None
        if mod is None:
            return None
        try:
            return cast("str | None", mod.sys_read(self.shell.world, self.shell.netns, path))
        except Exception as e:
            errno = getattr(e, "errno", None)
            if type(e).__name__ != "SysfsError" or not isinstance(errno, int):
                raise
            raise FsError(os.strerror(errno)) from None

    def listdir(self, path: str) -> list[str] | None:
        mod = self._mod() if _virtual(path) else None
        if mod is None:
            return None
        return cast("list[str] | None", mod.sys_listdir(self.shell.world, self.shell.netns, path))

    def readlink(self, path: str) -> str | None:
        mod = self._mod() if _virtual(path) else None
        if mod is None:
            return None
        return cast("str | None", mod.sys_readlink(self.shell.world, self.shell.netns, path))

    def netns(self, path: str) -> str | None:
        """The namespace a virtual file stands for, or None."""
        mod = self._mod() if _virtual(path) else None
        if mod is None:
            return None
        return cast("str | None", mod.sys_netns(self.shell.world, self.shell.netns, path))

    def isdir(self, path: str) -> bool:
        mod = self._mod() if _virtual(path) else None
        return mod is not None and bool(mod.sys_isdir(self.shell.world, self.shell.netns, path))

    def exists(self, path: str) -> bool:
        mod = self._mod() if _virtual(path) else None
        return mod is not None and bool(mod.sys_exists(self.shell.world, self.shell.netns, path))

    def virtual_under(self, path: str) -> bool:
        """Whether ``path`` or anything below it is in a virtual tree."""
        below = path.rstrip("/") + "/"
        return _virtual(path) or any(r.startswith(below) for r in _ROOTS)

"""Reading a namespace's sysctl tree as ``sysctl`` does: one key (``sysctl -n``),
a directory or the whole tree in ``sysctl -a`` order, and the errors it prints."""

from __future__ import annotations

import errno as _errno
from collections.abc import Iterator

from netsim.kernel.sysctl import _defaults as D
from netsim.kernel.sysctl import _tables as T
from netsim.kernel.sysctl._procfs import format_value
from netsim.kernel.sysctl._scalars import SPECIAL, Scalars
from netsim.kernel.sysctl.keys import _PROC, SysctlError, _dotted, split_key

__all__ = ["Reader"]


class Reader:
    """The reading half of :class:`~netsim.kernel.sysctl.Sysctls`."""

    _scalars: Scalars
    _all4: dict[str, int]
    _dflt4: dict[str, int]
    _all6: dict[str, int]
    _dflt6: dict[str, int]
    _devs: dict[str, T.Device]

    def _conf(self, fam: str, dev: str) -> dict[str, int] | None:
        if dev == "all":
            return self._all4 if fam == "ipv4" else self._all6
        if dev == "default":
            return self._dflt4 if fam == "ipv4" else self._dflt6
        d = self._devs.get(dev)
        return None if d is None else d.conf(fam)

    def get(self, key: str) -> str:
        """What ``sysctl -n KEY`` prints (``KEY`` as sysctl names it, or a /proc/sys path)."""
        parts = split_key(key)
        value = self._read(parts)
        if value is not None:
            return value
        shown = _dotted(parts)
        if self._is_dir(parts):
            message = f'sysctl: reading key "{shown}": Is a directory'
            raise SysctlError(message, key=shown, errno=_errno.EISDIR)
        if ".".join(parts) in T.WRITE_ONLY:
            # sysctl skips a file it may not read and prints nothing
            raise SysctlError("", key=shown, errno=_errno.EACCES)
        raise self._no_such(parts)

    def get_int(self, key: str) -> int:
        """:meth:`get` of a one-number key, as an int."""
        return int(self.get(key))

    def lines(self, prefix: str = "net", *, deprecated: bool = False) -> list[str]:
        """``sysctl -a`` (or ``sysctl DIR``): ``key = value`` lines in its order."""
        return [f"{k} = {v}" for k, v in self.dump(prefix, deprecated=deprecated).items()]

    def dump(self, prefix: str = "net", *, deprecated: bool = False) -> dict[str, str]:
        """Every readable key under ``prefix`` -> value, in ``sysctl -a`` order.

        ``sysctl`` walks each directory in ``strcmp`` order of the file names,
        so ``conf.v`` < ``conf.v-a`` < ``conf.v.b`` (shown ``v/b``) < ``conf.v_c``.
        ``deprecated=True`` adds what ``sysctl -a --deprecated`` adds
        (``neigh.DEV.base_reachable_time`` and ``retrans_time``).
        """
        want = split_key(prefix)
        n = len(want)
        rows = [row for row in self._rows(deprecated, want) if row[0][:n] == want]
        if not rows and not self._is_dir(want) and self._read(want) is None:
            raise self._no_such(want)
        rows.sort(key=lambda r: r[0])
        return {_dotted(p): v for p, v in rows}

    def _rows(
        self, deprecated: bool, want: tuple[str, ...]
    ) -> Iterator[tuple[tuple[str, ...], str]]:
        """(parts, value) of every readable file that may lie under ``want``, unordered."""

        def under(parts: tuple[str, ...]) -> bool:
            n = min(len(parts), len(want))
            return parts[:n] == want[:n]

        for parts in T.SCALAR_PARTS:
            if under(parts):
                value = self._read(parts)
                assert value is not None
                yield parts, value
        for fam in T.FAMILIES:
            if under(("net", fam, "conf")):
                trees = {"all": self._conf(fam, "all"), "default": self._conf(fam, "default")}
                trees |= {name: d.conf(fam) for name, d in self._devs.items()}
                for dev, conf in trees.items():
                    if conf is None:
                        continue
                    for name, v in conf.items():
                        text = str(v) if fam == "ipv4" else format_value(T.conf6_spec(dev, name), v)
                        yield ("net", fam, "conf", dev, name), text
            if under(("net", fam, "neigh")):
                for dev, d in self._devs.items():
                    neigh = d.neigh(fam)
                    if neigh is None:
                        continue
                    for name in T.NEIGH_NAMES[fam]:
                        if deprecated or name not in D.DEPRECATED:
                            yield ("net", fam, "neigh", dev, name), T.neigh_text(fam, name, neigh)

    def _is_dir(self, parts: tuple[str, ...]) -> bool:
        if parts in T.SCALAR_DIRS or not parts:
            return True
        if len(parts) < 3 or parts[1] not in T.FAMILIES or parts[2] not in ("conf", "neigh"):
            return False
        if len(parts) == 3:
            return True
        if len(parts) == 4:
            fam, sub, dev = parts[1:]
            if sub == "conf":
                return self._conf(fam, dev) is not None
            d = self._devs.get(dev)
            return d is not None and d.neigh(fam) is not None
        return False

    def _read(self, parts: tuple[str, ...]) -> str | None:
        if len(parts) == 5 and parts[0] == "net" and parts[1] in T.FAMILIES:
            fam, sub, dev, name = parts[1:]
            if sub == "conf":
                conf = self._conf(fam, dev)
                if conf is None or name not in conf:
                    return None
                if fam == "ipv4":
                    return str(conf[name])
                return format_value(T.conf6_spec(dev, name), conf[name])
            if sub == "neigh":
                d = self._devs.get(dev)
                neigh = None if d is None else d.neigh(fam)
                if neigh is None or name not in T.NEIGH_NAMES[fam]:
                    return None
                return T.neigh_text(fam, name, neigh)
        key = ".".join(parts)
        if key == "net.ipv4.ip_forward":
            return str(self._all4["forwarding"])
        value = self._scalars.get(key)
        if value is None:
            return None
        if key in SPECIAL:
            return SPECIAL[key][1](value)
        if isinstance(value, str):
            return value
        assert isinstance(value, int)
        return format_value(T.spec(key), value)

    def _no_such(self, parts: tuple[str, ...]) -> SysctlError:
        message = f"sysctl: cannot stat {_PROC}{'/'.join(parts)}: No such file or directory"
        return SysctlError(message, key=_dotted(parts), errno=_errno.ENOENT)

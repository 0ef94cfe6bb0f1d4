"""host-local's on-disk store: ``backend/disk/backend.go`` of
containernetworking/plugins v1.1.1, over a :class:`~netsim.cni.fs.PluginFs`.

``<dataDir>/<network>/<ip>`` holds ``<trimmed id>\\r\\n<ifname>`` (no newline);
``last_reserved_ip.<N>`` the last address reserved from range set N; ``lock``
is the (empty) flock file.  Nothing but address files is ever deleted."""

from __future__ import annotations

import ipaddress
import posixpath
from typing import Final

from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.result import IP

__all__ = ["DEFAULT_DATA_DIR", "LINE_BREAK", "Store"]

DEFAULT_DATA_DIR: Final = "/var/lib/cni/networks"
LINE_BREAK: Final = "\r\n"
LAST_IP_PREFIX: Final = "last_reserved_ip."


def _parse_ip(text: str) -> IP | None:
    """``net.ParseIP``: None when ``text`` is no address."""
    try:
        if "%" in text:
            return None
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _go_trim(s: str) -> str:
    """``strings.TrimSpace``."""
    return s.strip(" \t\n\r\v\f\x85\xa0")


class Store:
    """``disk.Store``: one file per reserved address in ``<dataDir>/<network>``."""

    def __init__(self, fs: PluginFs, network: str, data_dir: str = ""):
        """``disk.New``: create the directory and the lock file."""
        self.fs = fs
        self.dir = posixpath.normpath(posixpath.join(data_dir or DEFAULT_DATA_DIR, network))
        fs.mkdir_all(self.dir)
        fs.create_excl(posixpath.join(self.dir, "lock"), "")

    def reserve(self, cid: str, ifname: str, ip: IP, range_id: str) -> bool:
        """``Store.Reserve``: create the address file unless it exists, then
        record the address in ``last_reserved_ip.<range_id>``."""
        if not self.fs.create_excl(
            posixpath.join(self.dir, str(ip)), _go_trim(cid) + LINE_BREAK + ifname
        ):
            return False
        self.fs.write(posixpath.join(self.dir, LAST_IP_PREFIX + range_id), str(ip))
        return True

    def last_reserved_ip(self, range_id: str) -> IP | None:
        """``Store.LastReservedIP`` (None when absent or unparsable)."""
        try:
            return _parse_ip(self.fs.read(posixpath.join(self.dir, LAST_IP_PREFIX + range_id)))
        except PluginFsError:
            return None

    def _walk(self, path: str) -> list[tuple[str, str]]:
        """``filepath.Walk`` over regular files: (path, content), lexical order."""
        return self.fs.walk_files(path)

    def _find(self, match: str) -> bool:
        # (a trimmed text equal to match holds it: the substring test skips most files)
        return any(match in data and _go_trim(data) == match for _, data in self._walk(self.dir))

    def find_by_id(self, cid: str, ifname: str) -> bool:
        """``Store.FindByID``: an address of (id, ifname), or a legacy id-only file."""
        return self._find(_go_trim(cid) + LINE_BREAK + ifname) or self._find(_go_trim(cid))

    def _release(self, match: str) -> bool:
        found = False
        for path, data in list(self._walk(self.dir)):
            if match in data and _go_trim(data) == match:
                try:
                    self.fs.remove(path)
                except PluginFsError:
                    continue
                found = True
        return found

    def release_by_id(self, cid: str, ifname: str) -> None:
        """``Store.ReleaseByID``: remove every file of (id, ifname); when there
        is none, every legacy file holding just the id."""
        if not self._release(_go_trim(cid) + LINE_BREAK + ifname):
            self._release(_go_trim(cid))

    def get_by_id(self, cid: str, ifname: str) -> list[IP]:
        """``Store.GetByID``: the addresses held by (id, ifname) or by the legacy id."""
        match, old = _go_trim(cid) + LINE_BREAK + ifname, _go_trim(cid)
        ips: list[IP] = []
        for path, data in self._walk(self.dir):
            if old in data and _go_trim(data) in (match, old):  # match holds old
                ip = _parse_ip(posixpath.basename(path))
                if ip is not None:
                    ips.append(ip)
        return ips

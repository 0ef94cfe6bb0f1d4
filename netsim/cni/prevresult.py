"""A chained plugin's ``prevResult``: ``version.ParsePrevResult`` and
``current.NewResultFromResult`` of containernetworking/cni v1.0.1.

The raw ``prevResult`` is decoded as a result of the *config's* version (the
result type registered for it: ``types100`` for 1.0.0, ``types040`` for
0.3.0-0.4.0, ``types020`` for 0.1.0/0.2.0), which refuses a result labelled
with a version of another type (``result type supports [0.3.0 0.3.1 0.4.0] but
unmarshalled CNIVersion is "1.0.0"``); a result with no version takes the
config's.  It is then converted to a 1.0.0 :class:`~netsim.cni.result.Result`.
"""

from __future__ import annotations

from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.gojson import field, go_quote
from netsim.cni.ipcache import ip_address, ip_interface
from netsim.cni.result import Result
from netsim.cni.runtime_result import result_from_json

__all__ = ["parse_prev_result"]

#: The result types and the versions each creates (``RegisterCreator``).
_CREATORS: Final = (("1.0.0",), ("0.3.0", "0.3.1", "0.4.0"), ("", "0.1.0", "0.2.0"))


def _check_addresses(raw: dict[str, Any]) -> None:
    """``types.IPNet.UnmarshalJSON`` / ``net.IP.UnmarshalText`` of each address."""
    for ipc in field(raw, "ips") or []:
        if not isinstance(ipc, dict):
            continue
        addr = field(ipc, "address")
        try:
            ip_interface(str(addr))
            if "/" not in str(addr):
                raise ValueError
        except ValueError:
            raise CniError(f"invalid CIDR address: {addr}") from None
        gw = field(ipc, "gateway")
        if gw is not None:
            try:
                ip_address(str(gw))
            except ValueError:
                raise CniError(f"invalid IP address: {gw}") from None


def parse_prev_result(raw: Any, conf_version: str) -> Result:
    """``ParsePrevResult`` + ``NewResultFromResult`` for a decoded ``prevResult``
    object; errors carry ParsePrevResult's ``could not parse prevResult: ``."""
    prev: dict[str, Any] = dict(raw)
    if prev.get("CNIVersion") in (None, ""):  # Go looks for this exact key, then marshals
        prev["CNIVersion"] = conf_version
    prev = {k: prev[k] for k in sorted(prev)}  # json.Marshal of a map: keys sorted
    version = field(prev, "cniVersion")
    version = version if isinstance(version, str) else ""
    creator = next((c for c in _CREATORS if conf_version in c), None)
    try:
        if creator is None:
            raise CniError(f"unsupported CNI result version {go_quote(conf_version)}")
        _check_addresses(prev)
        if version not in creator:
            raise CniError(f"result type supports [{' '.join(creator)}] but unmarshalled "
                           f"CNIVersion is {go_quote(version)}")  # fmt: skip
        return result_from_json({**prev, "cniVersion": version or "0.1.0"})
    except CniError as e:
        raise CniError(f"could not parse prevResult: {e.msg}") from None

"""flanneld's network configuration: ``net-conf.json`` as ``pkg/subnet/config.go``
reads it (flannel-io/flannel at cdf7605).

``Network`` (IPv4, mandatory), ``Backend`` (``Type``: ``vxlan`` with ``VNI``
1, ``Port`` 0 = the kernel's 8472, ``Learning``, ``DirectRouting``, ``MTU``;
``host-gw``; an absent ``Backend`` object is ``udp``, which is not modelled),
``EnableIPv6`` (not modelled).  ``SubnetLen``/``SubnetMin``/``SubnetMax`` are
kept but, as in flannel, only the etcd subnet manager uses them; the kube
subnet manager takes each node's ``podCIDR``.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Backend", "FlannelConfigError", "NetConf", "parse_net_conf"]


class FlannelConfigError(ValueError):
    """``net-conf.json`` that flanneld refuses, in its words."""


@dataclass(frozen=True)
class Backend:
    """``Backend``: its ``Type`` and options."""

    type: str = "vxlan"
    vni: int = 1
    port: int = 0
    learning: bool = False
    direct_routing: bool = False
    mtu: int = 0
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NetConf:
    """The network every node's flanneld shares."""

    network: ipaddress.IPv4Network
    backend: Backend
    subnet_len: int = 24
    enable_ipv6: bool = False
    text: str = ""


def parse_net_conf(text: str) -> NetConf:
    """``ParseConfig``: the JSON, ``Network``, the backend's options."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise FlannelConfigError(f"failed to parse network config: {e}") from None
    if not isinstance(obj, dict):
        raise FlannelConfigError("failed to parse network config: not a JSON object")
    if obj.get("EnableIPv6"):
        raise FlannelConfigError("netsim: flannel's IPv6 (EnableIPv6) is not modelled yet")
    network_text = obj.get("Network")
    if not network_text:
        raise FlannelConfigError("please define a correct Network parameter in the flannel config")
    try:
        network = ipaddress.IPv4Network(str(network_text))
    except ValueError as e:
        raise FlannelConfigError(f"failed to parse network config: {e}") from None
    backend_obj = obj.get("Backend")
    if backend_obj is None:
        raise FlannelConfigError("netsim: flannel's udp backend (no Backend given) is not modelled")
    if not isinstance(backend_obj, dict):
        raise FlannelConfigError("failed to parse network config: Backend is not an object")
    kind = str(backend_obj.get("Type", "vxlan"))
    if kind not in ("vxlan", "host-gw"):
        raise FlannelConfigError(f"netsim: flannel's {kind} backend is not modelled")
    backend = Backend(
        type=kind,
        vni=int(backend_obj.get("VNI", 1)),
        port=int(backend_obj.get("Port", 0)),
        learning=bool(backend_obj.get("Learning", False)),
        direct_routing=bool(backend_obj.get("DirectRouting", False)),
        mtu=int(backend_obj.get("MTU", 0)),
        raw=dict(backend_obj),
    )
    subnet_len = int(
        obj.get("SubnetLen") or (24 if network.prefixlen <= 22 else network.prefixlen + 2)
    )
    return NetConf(network, backend, subnet_len, text=text)

"""``ip -d link show``'s linkinfo lines: the per-kind ``print_opt()`` callbacks
of iproute2 6.1 (``ip/iplink_bridge.c``, ``ip/iplink_bridge_slave.c``,
``ip/iplink_vxlan.c``, ``ip/iplink_macvlan.c``, ``ip/iplink_vlan.c``,
``ip/iplink_ipvlan.c``), rendered from JSON records.
"""

from __future__ import annotations

from collections.abc import Callable

from netsim.iproute.render_fields import (
    Field,
    Record,
    fmt_hex,
    fmt_num,
    fmt_on_off,
    fmt_str,
    fmt_timer,
    render_fields,
)

__all__ = ["linkinfo"]


# --------------------------------------------------------------------------
# linkinfo: the per-kind ``print_opt()`` callbacks


_BRIDGE: tuple[Field, ...] = (
    ("forward_delay", "forward_delay {} ", fmt_num),
    ("hello_time", "hello_time {} ", fmt_num),
    ("max_age", "max_age {} ", fmt_num),
    ("ageing_time", "ageing_time {} ", fmt_num),
    ("stp_state", "stp_state {} ", fmt_num),
    ("priority", "priority {} ", fmt_num),
    ("vlan_filtering", "vlan_filtering {} ", fmt_num),
    ("vlan_protocol", "vlan_protocol {} ", fmt_str),
    ("bridge_id", "bridge_id {} ", fmt_str),
    ("root_id", "designated_root {} ", fmt_str),
    ("root_port", "root_port {} ", fmt_num),
    ("root_path_cost", "root_path_cost {} ", fmt_num),
    ("topology_change", "topology_change {} ", fmt_num),
    ("topology_change_detected", "topology_change_detected {} ", fmt_num),
    ("hello_timer", "hello_timer {} ", fmt_timer),
    ("tcn_timer", "tcn_timer {} ", fmt_timer),
    ("topology_change_timer", "topology_change_timer {} ", fmt_timer),
    ("gc_timer", "gc_timer {} ", fmt_timer),
    ("vlan_default_pvid", "vlan_default_pvid {} ", fmt_num),
    ("vlan_stats_enabled", "vlan_stats_enabled {} ", fmt_num),
    ("vlan_stats_per_port", "vlan_stats_per_port {} ", fmt_num),
    ("group_fwd_mask", "group_fwd_mask {} ", fmt_hex),
    ("group_addr", "group_address {} ", fmt_str),
    ("mcast_snooping", "mcast_snooping {} ", fmt_num),
    ("no_linklocal_learn", "no_linklocal_learn {} ", fmt_num),
    ("mcast_vlan_snooping", "mcast_vlan_snooping {} ", fmt_num),
    ("mcast_router", "mcast_router {} ", fmt_num),
    ("mcast_query_use_ifaddr", "mcast_query_use_ifaddr {} ", fmt_num),
    ("mcast_querier", "mcast_querier {} ", fmt_num),
    ("mcast_hash_elasticity", "mcast_hash_elasticity {} ", fmt_num),
    ("mcast_hash_max", "mcast_hash_max {} ", fmt_num),
    ("mcast_last_member_cnt", "mcast_last_member_count {} ", fmt_num),
    ("mcast_startup_query_cnt", "mcast_startup_query_count {} ", fmt_num),
    ("mcast_last_member_intvl", "mcast_last_member_interval {} ", fmt_num),
    ("mcast_membership_intvl", "mcast_membership_interval {} ", fmt_num),
    ("mcast_querier_intvl", "mcast_querier_interval {} ", fmt_num),
    ("mcast_query_intvl", "mcast_query_interval {} ", fmt_num),
    ("mcast_query_response_intvl", "mcast_query_response_interval {} ", fmt_num),
    ("mcast_startup_query_intvl", "mcast_startup_query_interval {} ", fmt_num),
    ("mcast_stats_enabled", "mcast_stats_enabled {} ", fmt_num),
    ("mcast_igmp_version", "mcast_igmp_version {} ", fmt_num),
    ("mcast_mld_version", "mcast_mld_version {} ", fmt_num),
    ("nf_call_iptables", "nf_call_iptables {} ", fmt_num),
    ("nf_call_ip6tables", "nf_call_ip6tables {} ", fmt_num),
    ("nf_call_arptables", "nf_call_arptables {} ", fmt_num),
)

_BRIDGE_SLAVE: tuple[Field, ...] = (
    ("state", "state {} ", fmt_str),
    ("state_index", "state ({}) ", fmt_num),
    ("priority", "priority {} ", fmt_num),
    ("cost", "cost {} ", fmt_num),
    ("hairpin", "hairpin {} ", fmt_on_off),
    ("guard", "guard {} ", fmt_on_off),
    ("root_block", "root_block {} ", fmt_on_off),
    ("fastleave", "fastleave {} ", fmt_on_off),
    ("learning", "learning {} ", fmt_on_off),
    ("flood", "flood {} ", fmt_on_off),
    ("id", "port_id {} ", fmt_hex),
    ("no", "port_no {} ", fmt_hex),
    ("designated_port", "designated_port {} ", fmt_num),
    ("designated_cost", "designated_cost {} ", fmt_num),
    ("bridge_id", "designated_bridge {} ", fmt_str),
    ("root_id", "designated_root {} ", fmt_str),
    ("hold_timer", "hold_timer {} ", fmt_timer),
    ("message_age_timer", "message_age_timer {} ", fmt_timer),
    ("forward_delay_timer", "forward_delay_timer {} ", fmt_timer),
    ("topology_change_ack", "topology_change_ack {} ", fmt_num),
    ("config_pending", "config_pending {} ", fmt_num),
    ("proxy_arp", "proxy_arp {} ", fmt_on_off),
    ("proxy_arp_wifi", "proxy_arp_wifi {} ", fmt_on_off),
    ("multicast_router", "mcast_router {} ", fmt_num),
    # text-only repeat of IFLA_BRPORT_FAST_LEAVE (no JSON key of its own)
    ("fastleave", "mcast_fast_leave {} ", fmt_on_off),
    ("mcast_flood", "mcast_flood {} ", fmt_on_off),
    ("bcast_flood", "bcast_flood {} ", fmt_on_off),
    ("mcast_to_unicast", "mcast_to_unicast {} ", fmt_on_off),
    ("neigh_suppress", "neigh_suppress {} ", fmt_on_off),
    ("group_fwd_mask", "group_fwd_mask {} ", fmt_hex),
    ("group_fwd_mask_str", "group_fwd_mask_str {} ", fmt_str),
    ("vlan_tunnel", "vlan_tunnel {} ", fmt_on_off),
    ("isolated", "isolated {} ", fmt_on_off),
    ("locked", "locked {} ", fmt_on_off),
    ("backup_port", "backup_port {} ", fmt_str),
)


def _bridge_opt(data: Record) -> str:
    return render_fields(data, _BRIDGE)


def _bridge_slave_opt(data: Record) -> str:
    return render_fields(data, _BRIDGE_SLAVE)


def _vxlan_opt(data: Record) -> str:
    out: list[str] = []
    add = out.append
    if data.get("external"):
        add("external ")
    if data.get("vnifilter"):
        add("vnifilter")  # sic: no trailing blank in iproute2 6.1
    if "id" in data:
        add(f"id {fmt_num(data['id'])} ")
    for key in ("group", "remote", "group6", "remote6"):
        if key in data:
            add(f"{key.rstrip('6')} {data[key]} ")
            break
    for key in ("local", "local6"):
        if key in data:
            add(f"local {data[key]} ")
            break
    if "link" in data:
        add(f"dev {data['link']} ")
    if "port_range" in data:
        prange = data["port_range"]
        add(f"srcport {fmt_num(prange['low'])} {fmt_num(prange['high'])} ")
    if "port" in data:
        add(f"dstport {fmt_num(data['port'])} ")
    if "learning" in data and not data["learning"]:
        add("nolearning ")
    for key in ("proxy", "rsc", "l2miss", "l3miss"):
        if data.get(key):
            add(f"{key} ")
    if "tos" in data:
        tos = fmt_hex(data["tos"])
        add("tos inherit " if tos == "0x1" else f"tos {tos} ")
    if "ttl" in data:
        ttl = int(data["ttl"])
        add(f"ttl {ttl} " if ttl else "ttl auto ")
    else:
        # IFLA_VXLAN_TTL_INHERIT is printed to text only; the kernel always
        # sends IFLA_VXLAN_TTL otherwise, so a missing "ttl" means inherit.
        add("ttl inherit ")
    if data.get("df") in ("set", "inherit"):
        add(f"df {data['df']} ")
    if "label" in data:
        add(f"flowlabel {fmt_hex(data['label'])} ")
    if "ageing" in data:
        age = int(data["ageing"])
        add(f"ageing {age} " if age else "ageing none ")
    if "limit" in data:
        add(f"maxaddr {fmt_num(data['limit'])} ")
    for key, word in (
        ("udp_csum", "udpcsum "),
        ("udp_zero_csum6_tx", "udp6zerocsumtx "),
        ("udp_zero_csum6_rx", "udp6zerocsumrx "),
    ):
        if key in data:
            add(word if data[key] else "no" + word)
    for key, word in (
        ("remcsum_tx", "remcsumtx "),
        ("remcsum_rx", "remcsumrx "),
        ("gbp", "gbp "),
        ("gpe", "gpe "),
    ):
        if data.get(key):
            add(word)
    return "".join(out)


def _macvlan_opt(data: Record) -> str:
    if "mode" not in data:
        return ""
    out = [f"mode {data['mode']} "]
    for key in ("nopromisc", "nodst"):
        if data.get(key):
            out.append(f"{key} ")
    for key in ("bcqueuelen", "usedbcqueuelen"):
        if key in data:
            out.append(f"{key} {fmt_num(data[key])} ")
    if data["mode"] == "source" and "macaddr_count" in data:
        out.append(f"remotes ({fmt_num(data['macaddr_count'])}) ")
        out.extend(f"{mac} " for mac in data.get("macaddr_data", ()))
    return "".join(out)


def _vlan_flags(flags: object) -> str:
    """``vlan_print_flags()``: ``<REORDER_HDR,...>`` (JSON: a list of names)."""
    names: list[str] = [str(f) for f in flags] if isinstance(flags, list) else []
    return "<" + ",".join(names) + "> "


def _vlan_qos_map(data: Record, key: str, word: str) -> str:
    """``vlan_print_map()``: ``ingress-qos-map { FROM:TO ... } `` on a line of its own."""
    pairs = "".join(f"{fmt_num(m['from'])}:{fmt_num(m['to'])} " for m in data[key])
    return f"\n      {word} {{ {pairs}}} "


def _vlan_opt(data: Record) -> str:
    """``vlan_print_opt()`` (``ip/iplink_vlan.c``)."""
    if "id" not in data:
        return ""
    out = [f"protocol {data.get('protocol', '802.1q')} ", f"id {fmt_num(data['id'])} "]
    if "flags" in data:
        out.append(_vlan_flags(data["flags"]))
    for key, word in (("ingress_qos", "ingress-qos-map"), ("egress_qos", "egress-qos-map")):
        if key in data:
            out.append(_vlan_qos_map(data, key, word))
    return "".join(out)


def _ipvlan_opt(data: Record) -> str:
    """``ipvlan_print_opt()`` (``ip/iplink_ipvlan.c``): `` mode l3 bridge ``."""
    out = [f" mode {data['mode']} "] if "mode" in data else []
    for flag in ("private", "vepa", "bridge"):
        if data.get(flag):
            out.append(f"{flag} ")
            break
    return "".join(out)


def _generic_opt(data: Record) -> str:
    """Best effort for kinds iproute2 6.1 prints with its own callback that
    is not modelled here: ``key value`` for every scalar."""
    out: list[str] = []
    for key, value in data.items():
        if isinstance(value, bool):
            out.append(f"{key} {fmt_on_off(value)} ")
        elif isinstance(value, int | float | str):
            out.append(f"{key} {value} ")
    return "".join(out)


# kinds whose link_util has no print_opt: only the kind name is printed (a
# kind iproute2 has no link_util for at all has no "info_data" in JSON either)
_NO_OPT = frozenset(
    [
        "veth",
        "dummy",
        "ifb",
        "nlmon",
        "vcan",
        "vxcan",
        "virt_wifi",
        "batadv",
        "netdevsim",
        "team_slave",
    ]
)

_KIND_OPT: dict[str, Callable[[Record], str]] = {
    "bridge": _bridge_opt,
    "bridge_slave": _bridge_slave_opt,
    "vxlan": _vxlan_opt,
    "macvlan": _macvlan_opt,
    "macvtap": _macvlan_opt,
    "vlan": _vlan_opt,
    "ipvlan": _ipvlan_opt,
    "ipvtap": _ipvlan_opt,
}


def _kind_opt(kind: str, data: Record | None) -> str:
    if kind in _NO_OPT or data is None:
        return ""
    return _KIND_OPT.get(kind, _generic_opt)(data)


def linkinfo(info: Record) -> str:
    """``print_linktype()``: one new line per kind and per slave kind."""
    out: list[str] = []
    if "info_kind" in info:
        kind = str(info["info_kind"])
        out.append(f"\n    {kind} ")
        out.append(_kind_opt(kind, info.get("info_data")))
    if "info_slave_kind" in info:
        slave = f"{info['info_slave_kind']}_slave"
        out.append(f"\n    {slave} ")
        out.append(_kind_opt(slave, info.get("info_slave_data")))
    return "".join(out)

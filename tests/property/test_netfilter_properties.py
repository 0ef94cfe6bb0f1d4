"""Properties of the netfilter model (hypothesis): ``iptables -S`` output
parses back to the same rule, and NAT followed by the reply's translation is
the identity for the client."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.kernel.netfilter.argv import parse_rule, save_rule
from netsim.kernel.netfilter.conntrack import ORIGINAL, REPLY, CtTable, invert
from netsim.kernel.netfilter.nat import DST, SRC, manip, pkt_tuple
from netsim.packet import ICMP, UDP, IPv4, ipv4_addr

addrs = st.sampled_from(["10.0.0.1", "10.22.0.0/24", "1.2.3.4/8", "224.0.0.0/4", "0.0.0.0/0"])
pieces = st.lists(
    st.sampled_from([
        ["-s", "10.22.0.2"], ["!", "-d", "224.0.0.0/4"], ["-i", "eth0"], ["!", "-o", "cni+"],
        ["-m", "comment", "--comment", "name: \"n\" id: \"c\""],
        ["-m", "mark", "--mark", "0x4000/0x4000"],
        ["-m", "addrtype", "--dst-type", "LOCAL"], ["-m", "conntrack", "--ctstate", "NEW,RELATED"],
    ]),
    max_size=4,
    unique_by=lambda p: p[-2] if p[-2].startswith("-") else p[1],
)  # fmt: skip
protos = st.sampled_from([[], ["-p", "icmp"], ["-p", "tcp", "--dport", "80"],
                          ["-p", "udp", "-m", "multiport", "--dports", "53,5353"]])  # fmt: skip
targets = st.sampled_from([[], ["-j", "ACCEPT"], ["-j", "MASQUERADE", "--random-fully"],
                           ["-j", "MARK", "--set-xmark", "0x2000/0x2000"]])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(pieces, protos, targets)
def test_saved_rules_parse_back_to_themselves(ps: list[list[str]], proto: list[str],
                                              target: list[str]) -> None:  # fmt: skip
    argv = [a for p in ps for a in p] + proto + target
    (rule,) = parse_rule(argv)
    saved = save_rule(rule)
    assert parse_rule(shlex.split(saved)) == [rule]
    assert save_rule(parse_rule(shlex.split(saved))[0]) == saved


ips = st.integers(0x0A000001, 0x0A0000FE)


@settings(max_examples=200, deadline=None)
@given(ips, ips, st.integers(0, 65535), st.integers(1, 65535), st.booleans(), st.booleans())
def test_nat_then_reply_translation_is_the_identity(
    client: int, server: int, port: int, new: int, icmp: bool, snat: bool
) -> None:
    """A request NATed one way; its reply, translated back, reaches the client
    from the address and port the client used."""
    payload = ICMP.echo_request(port, 1) if icmp else UDP(port, 53)
    req = IPv4(ipv4_addr(client), ipv4_addr(server), 1 if icmp else 17, payload)
    table = CtTable()
    t = pkt_tuple(req)
    assert t is not None
    ct = table.add(t, 0.0)
    proto, rs, rsp, rd, rdp = ct.tuples[REPLY]
    if snat:  # SNAT to 192.168.0.1:new
        reply_t = (
            (proto, rs, rsp, 0xC0A80001, new) if not icmp else (proto, rs, new, 0xC0A80001, new)
        )
        how = SRC
    else:  # DNAT to 172.16.0.9:new
        reply_t = (
            (proto, 0xAC100009, new, rd, rdp) if not icmp else (proto, 0xAC100009, rsp, rd, rdp)
        )
        how = DST
    table.set_reply(ct, reply_t)
    wire = manip(req, invert(ct.tuples[REPLY]), how)  # the request as NAT sends it
    # the far end answers the packet it got
    w = wire.payload
    if isinstance(w, ICMP):
        answer = IPv4(wire.dst, wire.src, 1, ICMP.echo_reply(w.ident, 1))
    else:
        assert isinstance(w, UDP)
        answer = IPv4(wire.dst, wire.src, 17, UDP(w.dport, w.sport))
    at = pkt_tuple(answer)
    assert at is not None
    hit = table.find(at, 0.0)
    assert hit is not None and hit[1] == REPLY
    back = manip(answer, invert(ct.tuples[ORIGINAL]), DST if how == SRC else SRC)
    assert (int(back.dst), int(back.src)) == (client, server)
    got = back.payload
    if isinstance(got, ICMP):
        assert got.ident == port
    else:
        assert isinstance(got, UDP) and got.dport == port and got.sport == 53

"""The CNI spec layer: config and conflist parsing, results in every wire
version, the error JSON, CNI_ARGS and version handling (netsim.cni)."""

from __future__ import annotations

import ipaddress

import pytest

from netsim.cni import CniError, IPConfig, Result, Route, parse_conf, parse_conflist
from netsim.cni.args import load_args, parse_bool, parse_ip
from netsim.cni.gojson import marshal_compact, marshal_indent, unmarshal
from netsim.cni.result import DNS, Interface
from netsim.cni.spec import pick_version, validate_container_id, validate_interface_name
from netsim.cni.version import (
    ALL,
    encode_plugin_info,
    greater_than_or_equal,
    parse_version,
    reconcile,
)


def ip4(a: str, gw: str | None = None, iface: int | None = None) -> IPConfig:
    return IPConfig(
        ipaddress.ip_interface(a), ipaddress.ip_address(gw) if gw else None, interface=iface
    )


RESULT = Result(
    ips=(ip4("10.30.0.2/29", "10.30.0.1"), IPConfig(ipaddress.ip_interface("fd00::2/64"))),
    routes=(
        Route(ipaddress.ip_interface("0.0.0.0/0")),
        Route(ipaddress.ip_interface("::/0"), ipaddress.ip_address("fd00::1")),
    ),
)


def test_ipam_result_prints_like_types_print_result() -> None:
    one = Result(ips=(ip4("10.30.0.2/29", "10.30.0.1"),))
    assert one.render() == (
        '{\n    "cniVersion": "1.0.0",\n    "ips": [\n        {\n'
        '            "address": "10.30.0.2/29",\n            "gateway": "10.30.0.1"\n'
        '        }\n    ],\n    "dns": {}\n}'
    )


def test_result_key_order_and_omitted_empties() -> None:
    r = Result(
        interfaces=(
            Interface("cni0", "aa:bb:cc:dd:ee:ff"),
            Interface("eth0", "", "/var/run/netns/p"),
        ),
        ips=(ip4("10.22.0.2/24", "10.22.0.1", 1),),
        dns=DNS(nameservers=("10.22.0.1",)),
    )
    j = r.to_json()
    assert list(j) == ["cniVersion", "interfaces", "ips", "dns"]
    assert j["interfaces"] == [
        {"name": "cni0", "mac": "aa:bb:cc:dd:ee:ff"},
        {"name": "eth0", "sandbox": "/var/run/netns/p"},
    ]
    assert list(j["ips"][0]) == ["interface", "address", "gateway"]
    assert Result().to_json() == {"cniVersion": "1.0.0", "dns": {}}


def test_result_040_adds_version_per_ip() -> None:
    j = RESULT.to_json("0.4.0")
    assert j["cniVersion"] == "0.4.0"
    assert j["ips"][0] == {"version": "4", "address": "10.30.0.2/29", "gateway": "10.30.0.1"}
    assert j["ips"][1] == {"version": "6", "address": "fd00::2/64"}
    assert RESULT.to_json("0.3.1")["ips"][0]["version"] == "4"


def test_result_020_uses_ip4_ip6_with_routes_by_family() -> None:
    j = RESULT.to_json("0.2.0")
    assert j == {
        "cniVersion": "0.2.0",
        "ip4": {"ip": "10.30.0.2/29", "gateway": "10.30.0.1", "routes": [{"dst": "0.0.0.0/0"}]},
        "ip6": {"ip": "fd00::2/64", "routes": [{"dst": "::/0", "gw": "fd00::1"}]},
        "dns": {},
    }
    assert Result(ips=(ip4("10.0.0.2/24"),)).to_json("")["cniVersion"] == "0.1.0"
    with pytest.raises(CniError, match="cannot convert: no valid IP addresses"):
        Result().to_json("0.2.0")


def test_route_dst_keeps_host_bits() -> None:
    assert Route(ipaddress.ip_interface("10.9.0.5/16")).to_json() == {"dst": "10.9.0.5/16"}


def test_go_json_escaping() -> None:
    assert marshal_compact({"a": "<&>\n\u2028"}) == '{"a":"\\u003c\\u0026\\u003e\\n\\u2028"}'
    assert marshal_indent({"a": [], "b": {}}) == '{\n    "a": [],\n    "b": {}\n}'


@pytest.mark.parametrize(
    ("text", "msg"),
    [
        ("", "unexpected end of JSON input"),
        ("garbage", "invalid character 'g' looking for beginning of value"),
        ('{"name":"x"', "unexpected end of JSON input"),
        ('{"a":1} x', "invalid character 'x' after top-level value"),
    ],
)
def test_go_json_decode_errors(text: str, msg: str) -> None:
    with pytest.raises(ValueError, match=msg):
        unmarshal(text)


def test_error_json() -> None:
    e = CniError("incompatible CNI versions", code=1, details='config is "1.1.0"')
    assert (
        e.render() == '{\n    "code": 1,\n    "msg": "incompatible CNI versions",\n'
        '    "details": "config is \\"1.1.0\\""\n}'
    )
    assert CniError("boom").to_json() == {"code": 999, "msg": "boom"}


def test_conf_keeps_unknown_keys() -> None:
    c = parse_conf(
        '{"cniVersion":"1.0.0","name":"n","type":"bridge","bridge":"cni0","ipam":{"type":"host-local"}}'
    )
    assert (c.type, c.name, c.ipam_type, c.raw["bridge"]) == ("bridge", "n", "host-local", "cni0")
    with pytest.raises(CniError, match="error parsing configuration: missing 'type'"):
        parse_conf('{"name":"n"}')


def test_conflist_parsing_and_errors() -> None:
    cl = parse_conflist(
        '{"cniVersion":"1.0.0","name":"n","disableCheck":true,"plugins":[{"type":"ptp"},'
        '{"type":"portmap","capabilities":{"portMappings":true},"snat":false}]}'
    )
    assert cl.disable_check and [p.type for p in cl.plugins] == ["ptp", "portmap"]
    conf = cl.plugin_config(
        1, runtime_config={"portMappings": [1], "bandwidth": {}}, prev_result={"x": 1}
    )
    assert conf["name"] == "n" and conf["cniVersion"] == "1.0.0" and conf["snat"] is False
    assert conf["runtimeConfig"] == {"portMappings": [1]} and conf["prevResult"] == {"x": 1}
    assert "runtimeConfig" not in cl.plugin_config(0, runtime_config={"portMappings": [1]})
    for text, msg in [
        ('{"plugins":[]}', "no name"),
        ('{"name":1}', "invalid name type float64"),
        ('{"name":"n"}', "no 'plugins' key"),
        ('{"name":"n","plugins":{}}', "invalid 'plugins' type map"),
        ('{"name":"n","plugins":[]}', "no plugins in list"),
        ('{"name":"n","disableCheck":"yes","plugins":[{}]}', "invalid disableCheck type string"),
    ]:
        with pytest.raises(CniError, match=msg):
            parse_conflist(text)
    with pytest.raises(
        CniError,
        match="failed to parse plugin config 1: error parsing configuration: missing 'type'",
    ):
        parse_conflist('{"name":"n","plugins":[{"type":"a"},{}]}')


def test_versions() -> None:
    assert parse_version("") == (0, 1, 0) and parse_version("1.0") == (1, 0, 0)
    assert greater_than_or_equal("0.4.0", "0.3.1") and not greater_than_or_equal("0.3.1", "0.4.0")
    with pytest.raises(CniError, match="too many parts"):
        parse_version("1.0.0.0")
    with pytest.raises(CniError) as e:
        reconcile("1.1.0", ALL)
    assert (
        e.value.details
        == 'config is "1.1.0", plugin supports ["0.1.0" "0.2.0" "0.3.0" "0.3.1" "0.4.0" "1.0.0"]'
    )
    assert (
        encode_plugin_info(("0.4.0", "1.0.0"))
        == '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}\n'
    )
    assert pick_version(["0.4.0", "1.1.0", "1.0.0"], ALL) == "1.0.0"
    assert pick_version(["2.0.0"], ALL) is None


def test_load_args() -> None:
    assert load_args("IP=10.0.0.2", {"IP": parse_ip}) == {"IP": ipaddress.ip_address("10.0.0.2")}
    assert load_args("IgnoreUnknown=1;K8S_POD_NAME=x", {})["IgnoreUnknown"] is True
    for args, msg in [
        ("ip=1.2.3.4", 'ARGS: unknown args ["ip=1.2.3.4"]'),
        ("A=1;B=2", 'ARGS: unknown args ["A=1" "B=2"]'),
        ("IP=1=2", 'ARGS: invalid pair "IP=1=2"'),
        ("IP=1.2.3.4;", 'ARGS: invalid pair ""'),
        ("IP=x", 'ARGS: error parsing value of pair "IP=x": invalid IP address: x'),
        ("CommonArgs=1", "ARGS: cannot unmarshal into field 'CommonArgs'"),
    ]:
        with pytest.raises(CniError) as e:
            load_args(args, {"IP": parse_ip})
        assert e.value.msg.startswith(msg)
    assert parse_bool("TRUE") is True
    with pytest.raises(ValueError, match="boolean unmarshal error: invalid input yes"):
        parse_bool("yes")


def test_name_checks() -> None:
    validate_container_id("abc.d-e_f")
    with pytest.raises(CniError) as e:
        validate_container_id("abc\n")
    assert (e.value.code, e.value.details) == (4, "abc\n")
    with pytest.raises(CniError) as e:
        validate_interface_name("a" * 16)
    assert e.value.details == "interface name should be less than 16 characters"
    validate_interface_name("a" * 15)

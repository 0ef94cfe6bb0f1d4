"""What the schema cannot say about a scenario: one action per step, networks
that parse, the configs the real programs would refuse (in their words), and
every name a step uses being a node or pod of the cluster at that step."""

from __future__ import annotations

import ipaddress
import re
import shlex
from typing import Any, Final

from netsim.cni.errors import CniError
from netsim.cni.runtime_conf import conflist_from_bytes
from netsim.k8s.flannel.config import FlannelConfigError, parse_net_conf
from netsim.k8s.nodeipam import NodeIpam, NodeIpamError
from netsim.k8s.underlay import SEGMENT_NS
from netsim.scenario.load import Document, Path, Problem
from netsim.scenario.model import ACTIONS, Scenario, pod_spec

__all__ = ["COMMANDS", "check_actions", "check_scenario", "pod_key"]

#: What a ``run`` step may run (through netsim sh).
COMMANDS: Final = ("ip", "bridge", "iptables", "iptables-save", "sysctl", "cat")
_TABLES: Final = ("link", "addr", "route", "neigh", "fdb", "nat", "filter")


def pod_key(ref: str) -> str:
    """``NAME`` or ``NAMESPACE/NAME`` as ``NAMESPACE/NAME``."""
    return ref if "/" in ref else f"default/{ref}"


def check_actions(doc: Document) -> list[Problem]:
    """Every step has one action, or only ``expect``."""
    problems = []
    for i, step in enumerate(doc.value.get("steps") or []):
        found = [a for a in ACTIONS if a in step]
        if len(found) > 1:
            problems.append(
                doc.problem(
                    ("steps", i, found[1]), f"one action per step (this step also has {found[0]})"
                )
            )
        elif not found and "expect" not in step:
            problems.append(
                doc.problem(
                    ("steps", i), "a step needs an action (" + ", ".join(ACTIONS) + ") or an expect"
                )
            )
    return problems


class _Checker:
    def __init__(self, sc: Scenario):
        self.sc, self.doc = sc, sc.doc
        self.problems: list[Problem] = []
        self.nodes: list[str] = []
        self.pods: dict[str, str] = {}  # key -> node
        self.racks: set[str] = set()

    def bad(self, path: Path, message: str) -> None:
        self.problems.append(self.doc.problem(path, message))

    # --- cluster -----------------------------------------------------------------------

    def _network(self, path: Path, text: str) -> ipaddress.IPv4Network | None:
        try:
            return ipaddress.IPv4Network(text)
        except ValueError as e:
            self.bad(path, f"{text!r} is not an IPv4 network: {e}".replace("'", '"'))
            return None

    def _racks(self, path: Path, underlay: dict[str, Any]) -> None:
        """Racks: not with ``cidr``; names unique; CIDRs that do not overlap; every
        node of the cluster in exactly one (a rack may list nodes that join later)."""
        racks = underlay.get("racks")
        if racks is None:
            return
        if "cidr" in underlay:
            self.bad((*path, "cidr"), "give cidr (one segment) or racks, not both")
        self.racks = {r["name"] for r in racks}
        names: set[str] = set()
        nets: list[ipaddress.IPv4Network] = []
        where: dict[str, str] = {}
        for i, rack in enumerate(racks):
            at: Path = (*path, "racks", i)
            if rack["name"] in names:
                self.bad((*at, "name"), f'"{rack["name"]}" is already a rack')
            names.add(rack["name"])
            net = self._network((*at, "cidr"), rack["cidr"])
            if net is not None:
                if net.num_addresses < 4:
                    self.bad((*at, "cidr"), f"{net} holds no node (a gateway and nodes need a /30)")
                for other in nets:
                    if net.overlaps(other):
                        self.bad((*at, "cidr"), f"{net} overlaps {other}")
                nets.append(net)
            for j, node in enumerate(rack.get("nodes", [])):
                if node in where:
                    self.bad((*at, "nodes", j), f'"{node}" is already in rack {where[node]}')
                where[node] = rack["name"]
        for name in self.nodes:
            if name not in where:
                self.bad((*path, "racks"), f'node "{name}" is in no rack')

    def cluster(self) -> None:
        c = self.sc.cluster
        path: Path = ("cluster",)
        seen: set[str] = set()
        for i, name in enumerate(c.nodes):
            at = (
                (*path, "nodes", i)
                if isinstance(self.doc.value["cluster"]["nodes"], list)
                else (*path, "nodes")
            )
            if name in seen:
                self.bad(at, f'"{name}" is already a node of the cluster')
            if name == SEGMENT_NS:
                self.bad(
                    at, f'"{name}" is the underlay segment\'s namespace; name the node otherwise'
                )
            seen.add(name)
        self.nodes = list(dict.fromkeys(c.nodes))
        raw = self.doc.value["cluster"]
        self._network((*path, "underlay", "cidr"), c.underlay_cidr)
        self._racks((*path, "underlay"), raw.get("underlay", {}))
        cidr = self._network((*path, "clusterCIDR"), c.cluster_cidr)
        service = c.service_cidr
        if service is not None and self._network((*path, "serviceCIDR"), service) is None:
            service = None
        if cidr is not None:
            try:
                NodeIpam((c.cluster_cidr,), (c.node_cidr_mask_size,), service)
            except NodeIpamError as e:
                key = "nodeCIDRMaskSize" if "nodeCIDRMaskSize" in raw else "clusterCIDR"
                self.bad((*path, key), str(e))
        net = c.network
        npath: Path = (*path, "network", net.kind)
        if net.kind == "flannel":
            try:
                parse_net_conf(net.net_conf)
            except FlannelConfigError as e:
                self.bad((*npath, "netConf"), str(e))
            self._conflist((*npath, "cniConf"), net.cni_conf)
        else:
            self._conflist(npath, net.conflist.replace("{{podCIDR}}", "10.244.0.0/24"))

    def _conflist(self, path: Path, text: str) -> None:
        try:
            conflist_from_bytes(text)
        except CniError as e:
            self.bad(path, str(e))

    # --- pods and steps ----------------------------------------------------------------

    def node(self, path: Path, name: str) -> bool:
        if name in self.nodes:
            return True
        where = " at this step" if path[0] == "steps" else ""
        self.bad(path, f'"{name}" is not a node of the cluster{where}')
        return False

    def pod(self, path: Path, ref: str) -> bool:
        if pod_key(ref) in self.pods:
            return True
        self.bad(path, f'"{ref}" is not a pod of the cluster at this step')
        return False

    def add_pod(self, path: Path, obj: dict[str, Any]) -> None:
        """A pod (known from here on even on a bad node: one problem, not a cascade)."""
        spec = pod_spec(obj, path)
        self.node((*path, "node"), spec.node)
        if spec.key in self.pods:
            self.bad((*path, "name"), f'"{spec.key}" is already a pod of the cluster')
            return
        self.pods[spec.key] = spec.node

    def pods_list(self) -> None:
        for spec in self.sc.pods:
            self.add_pod(spec.path, self.doc.value["pods"][spec.path[1]])

    def _listed(self, node: str) -> bool:
        racks = self.doc.value["cluster"].get("underlay", {}).get("racks", [])
        return any(node in r.get("nodes", []) for r in racks)

    @staticmethod
    def _node_arg(path: Path, arg: Any) -> tuple[Path, str]:
        return ((*path, "node"), arg["node"]) if isinstance(arg, dict) else (path, arg)

    def step(self, index: int) -> None:
        step = self.sc.steps[index]
        path: Path = ("steps", index, step.action or "expect")
        expect = step.expect
        fails = "error" in expect  # the action is meant to fail: it changes nothing
        act, arg = step.action, step.args
        if act == "addPod":
            if fails:
                self.node((*path, "node"), arg["node"])
            else:
                self.add_pod(path, arg)
        elif act == "deletePod":
            ref = (
                arg if isinstance(arg, str) else f"{arg.get('namespace', 'default')}/{arg['name']}"
            )
            at = path if isinstance(arg, str) else (*path, "name")
            if self.pod(at, ref) and not fails:
                del self.pods[pod_key(ref)]
        elif act in ("addNode", "removeNode", "failLink", "restoreLink", "restartFlanneld"):
            at, name = self._node_arg(path, arg)
            if act == "addNode":
                rack = arg.get("rack") if isinstance(arg, dict) else None
                if rack is not None and rack not in self.racks:
                    self.bad((*path, "rack"), f'"{rack}" is not a rack of the underlay')
                elif rack is None and self.racks and not self._listed(name):
                    self.bad(at, f'"{name}" is in no rack: give addNode a rack')
                if name in self.nodes:
                    self.bad(at, f'"{name}" is already a node of the cluster')
                elif name == SEGMENT_NS:
                    self.bad(at, f'"{name}" is the underlay segment\'s namespace')
                elif not fails:
                    self.nodes.append(name)
            elif self.node(at, name) and act == "removeNode" and not fails:
                self.nodes.remove(name)
                self.pods = {k: n for k, n in self.pods.items() if n != name}
        elif act in ("ping", "trace"):
            self.pod((*path, "from"), arg["from"])
            self._target((*path, "to"), arg["to"])
        elif act == "run":
            self._run(path, arg)
        self._expect(("steps", index, "expect"), expect)

    def _target(self, path: Path, to: str) -> None:
        try:
            ipaddress.IPv4Address(to)
            return
        except ValueError:
            pass
        if pod_key(to) not in self.pods:
            self.bad(
                path, f'"{to}" is neither a pod of the cluster at this step nor an IPv4 address'
            )

    def _where(self, path: Path, arg: dict[str, Any], what: str) -> None:
        """``node`` or ``pod``: exactly one, and known."""
        if ("node" in arg) == ("pod" in arg):
            self.bad(path, f"{what}: give node or pod (one of them)")
        elif "node" in arg:
            self.node((*path, "node"), arg["node"])
        else:
            self.pod((*path, "pod"), arg["pod"])

    def _run(self, path: Path, arg: dict[str, Any]) -> None:
        self._where(path, arg, "where to run")
        command = arg["command"]
        try:
            lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words = list(lexer)
        except ValueError as e:
            self.bad((*path, "command"), f"cannot split the command line: {e}")
            return
        ops = [w for w in words if w and set(w) <= set("();<>|&")]
        if ops or "`" in command or "$(" in command:
            found = "$(" if "$(" in command else ("`" if "`" in command else ops[0])
            self.bad((*path, "command"), f"one command, no shell operators (found {found})")
            return
        if not words or words[0] not in COMMANDS:
            first = words[0] if words else ""
            self.bad((*path, "command"), f'"{first}" is not one of {", ".join(COMMANDS)}')

    def _expect(self, path: Path, expect: dict[str, Any]) -> None:
        reach = expect.get("reachability")
        if isinstance(reach, list):
            for i, ref in enumerate(reach):
                self.pod((*path, "reachability", i), ref)
        for i, check in enumerate(expect.get("tables", [])):
            at = (*path, "tables", i)
            self._where(at, check, "a table check")
            if not any(k in check for k in _TABLES):
                self.bad(at, "a table check needs one of " + ", ".join(_TABLES))
        if "regex" in expect:
            try:
                re.compile(expect["regex"])
            except re.error as e:
                self.bad((*path, "regex"), f"not a regular expression: {e}")


def check_scenario(sc: Scenario) -> list[Problem]:
    """Every problem of a scenario the schema accepted."""
    c = _Checker(sc)
    c.cluster()
    c.pods_list()
    for step in sc.steps:
        c.step(step.index)
    return c.problems

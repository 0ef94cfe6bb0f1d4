"""The YAML scenarios of scenarios/k8s/ pass on the simulator; bad input is
refused with messages that name the file, the line and the field; the
``netsim run``/``trace``/``show`` commands and their exit statuses."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from netsim.cli import main
from netsim.scenario import ScenarioError, load, loads
from netsim.scenario.runner import run_scenario

ROOT = Path(__file__).parent.parent
K8S = sorted((ROOT / "scenarios" / "k8s").glob("*.yaml"))

#: A valid scenario to start bad-input cases from (the manifest's conflist
#: without portmap, which netsim does not have yet).
BASE = """\
version: 1
cluster:
  nodes: 2
  network:
    flannel:
      cniConf:
        name: cbr0
        cniVersion: 0.3.1
        plugins:
          - {type: flannel, delegate: {isDefaultGateway: true}}
pods:
  - {name: a, node: node1}
  - {name: b, node: node2}
steps:
  - ping: {from: a, to: b}
    expect: {received: 1}
"""


def test_the_k8s_scenarios_are_there() -> None:
    assert {p.stem for p in K8S} >= {
        "flannel-vxlan",
        "flannel-host-gw",
        "bridge-single-node",
        "node-join-leave",
        "pod-churn",
    }


@pytest.mark.parametrize("path", K8S, ids=lambda p: p.stem)
def test_scenario_passes_on_the_sim(path: Path) -> None:
    report, _ = run_scenario(load(str(path)))
    failed = [
        (s.number, s.title, s.error, [(c.what, c.why) for c in s.checks if not c.held])
        for s in report.all
        if s.status not in ("held", "ran")
    ]
    assert failed == []
    assert report.counts["expectations"] > 0


def test_the_readme_example_holds() -> None:
    import re

    (text,) = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    report, _ = run_scenario(loads(text, "README.md"))
    assert report.ok and [s.status for s in report.steps] == ["held", "held", "held"]


def test_a_run_is_the_same_for_a_seed() -> None:
    sc = load(str(ROOT / "scenarios/k8s/flannel-vxlan.yaml"))
    one = json.dumps(run_scenario(sc, seed=4)[0].to_json())
    assert one == json.dumps(run_scenario(sc, seed=4)[0].to_json())
    assert one != json.dumps(run_scenario(sc, seed=5)[0].to_json())  # MACs, ports, ids


def _errors(text: str, file: str = "scenario.yaml") -> list[str]:
    with pytest.raises(ScenarioError) as e:
        loads(textwrap.dedent(text), file)
    return [str(p) for p in e.value.problems]


def _edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


BAD = [
    (
        _edit("  - {name: b, node: node2}", "  - {name: b, node: node9}"),
        ['scenario.yaml:13: pods[1].node: "node9" is not a node of the cluster'],
    ),
    (
        "version: 2\ncluster: {nodes: 1, network: {flannel: {}}}\n",
        ["scenario.yaml:1: version: 2: only version 1 is understood"],
    ),
    (
        "cluster: {nodes: 1, network: {flannel: {}}}\n",
        ['scenario.yaml:1: (top level): missing field "version"'],
    ),
    ("- version: 1\n", ["scenario.yaml:1: (top level): expected a mapping, got a list"]),
    ("", ["scenario.yaml:1: (top level): the file holds no scenario"]),
    (
        "version: 1\ncluster: {nodes: [a, b\n",
        ["scenario.yaml:3: (top level): invalid YAML: expected ',' or ']', but got '<stream end>'"],
    ),
    (
        _edit("  nodes: 2\n", "  nodes: 2\n  nodes: 3\n"),
        ["scenario.yaml:4: cluster.nodes: duplicate field"],
    ),
    (
        _edit("  nodes: 2", "  nodes: [node1, Node_2]"),
        [
            'scenario.yaml:3: cluster.nodes[1]: "Node_2" is not a valid name (lowercase letters, '
            "digits, '-' and '.', starting and ending with a letter or digit, at most 63)"
        ],
    ),
    (
        _edit("  nodes: 2", "  nodes: two"),
        [
            "scenario.yaml:3: cluster.nodes: expected a count (1 to 250) or a list of node names, "
            'got "two"'
        ],
    ),
    (
        _edit("  nodes: 2", "  nodes: 2\n  maxpods: 5"),
        [
            "scenario.yaml:4: cluster.maxpods: unknown field (expected one of clusterCIDR, "
            "maxPods, network, nodeCIDRMaskSize, nodes, serviceCIDR, underlay)"
        ],
    ),
    (
        _edit("  nodes: 2", "  nodes: 2\n  clusterCIDR: 10.244.0.0/33"),
        [
            'scenario.yaml:4: cluster.clusterCIDR: "10.244.0.0/33" is not an IPv4 network: '
            '"33" is not a valid netmask'
        ],
    ),
    (
        _edit("  nodes: 2", "  nodes: 2\n  clusterCIDR: 10.244.1.0/16"),
        [
            'scenario.yaml:4: cluster.clusterCIDR: "10.244.1.0/16" is not an IPv4 network: '
            "10.244.1.0/16 has host bits set"
        ],
    ),
    (
        _edit("  nodes: 2", "  nodes: 2\n  nodeCIDRMaskSize: 12"),
        [
            "scenario.yaml:4: cluster.nodeCIDRMaskSize: invalid --node-cidr-mask-size: must be "
            "between the cluster CIDR's mask size (16) and 32"
        ],
    ),
    (
        _edit("    flannel:\n", "    flannel:\n      netConf: {Backend: {Type: vxlan}}\n"),
        [
            "scenario.yaml:6: cluster.network.flannel.netConf: please define a correct Network "
            "parameter in the flannel config"
        ],
    ),
    (
        _edit(
            "    flannel:\n",
            "    flannel:\n      netConf: {Network: 10.244.0.0/16, Backend: {Type: wireguard}}\n",
        ),
        [
            "scenario.yaml:6: cluster.network.flannel.netConf: netsim: flannel's wireguard backend "
            "is not modelled"
        ],
    ),
    (
        'version: 1\ncluster:\n  nodes: 1\n  network:\n    conflist: \'{"cniVersion": "1.0.0"}\'\n',
        ["scenario.yaml:5: cluster.network.conflist: error parsing configuration list: no name"],
    ),
    (
        "version: 1\ncluster:\n  nodes: 1\n  network: {}\n",
        ["scenario.yaml:4: cluster.network: expected one of flannel, conflist"],
    ),
    (
        _edit(
            "  - {name: b, node: node2}", "  - {name: b, node: node2}\n  - {name: a, node: node2}"
        ),
        ['scenario.yaml:14: pods[2].name: "default/a" is already a pod of the cluster'],
    ),
    (
        _edit("  - {name: b, node: node2}", "  - {node: node2}"),
        ['scenario.yaml:13: pods[1]: missing field "name"'],
    ),
    (
        _edit("expect: {received: 1}", "expect: {received: 1, stdout: x}"),
        [
            "scenario.yaml:16: steps[0].expect.stdout: unknown field (expected one of contains, "
            "error, loss, reachability, received, status, tables)"
        ],
    ),
    (
        _edit("expect: {received: 1}", "expect: {received: -1}"),
        ["scenario.yaml:16: steps[0].expect.received: -1 is less than the minimum 0"],
    ),
    (
        _edit("  - ping: {from: a, to: b}", "  - ping: {from: a, to: c}"),
        [
            'scenario.yaml:15: steps[0].ping.to: "c" is neither a pod of the cluster at this step '
            "nor an IPv4 address"
        ],
    ),
    (
        _edit("  - ping: {from: a, to: b}", "  - ping: {from: a, to: b}\n    wait: 1"),
        ["scenario.yaml:16: steps[0].wait: one action per step (this step also has ping)"],
    ),
    (
        BASE + "  - name: nothing\n",
        [
            "scenario.yaml:17: steps[1]: a step needs an action (addPod, deletePod, addNode, "
            "removeNode, ping, trace, run, failLink, restoreLink, restartFlanneld, wait) or an "
            "expect"
        ],
    ),
    (
        BASE + "  - deletePod: b\n  - ping: {from: a, to: b}\n",
        [
            'scenario.yaml:18: steps[2].ping.to: "b" is neither a pod of the cluster at this step '
            "nor an IPv4 address"
        ],
    ),
    (
        BASE + "  - removeNode: node2\n  - run: {pod: b, command: ip route}\n",
        ['scenario.yaml:18: steps[2].run.pod: "b" is not a pod of the cluster at this step'],
    ),
    (
        BASE + "  - addNode: node2\n",
        ['scenario.yaml:17: steps[1].addNode: "node2" is already a node of the cluster'],
    ),
    (
        BASE + "  - run: {node: node1, command: rm -rf /}\n",
        [
            'scenario.yaml:17: steps[1].run.command: "rm" is not one of ip, bridge, iptables, '
            "iptables-save, sysctl, cat"
        ],
    ),
    (
        BASE + "  - run: {node: node1, command: 'ip route; cat /etc/passwd'}\n",
        ["scenario.yaml:17: steps[1].run.command: one command, no shell operators (found ;)"],
    ),
    (
        BASE + "  - run: {node: node1, command: ip route show $(cat x)}\n",
        ["scenario.yaml:17: steps[1].run.command: one command, no shell operators (found $()"],
    ),
    (
        BASE + "  - run: {command: ip route}\n",
        ["scenario.yaml:17: steps[1].run: where to run: give node or pod (one of them)"],
    ),
    (
        BASE + "  - expect: {tables: [{node: node3, route: default}]}\n",
        [
            'scenario.yaml:17: steps[1].expect.tables[0].node: "node3" is not a node of the '
            "cluster at this step"
        ],
    ),
    (
        BASE + "  - trace: {from: a, to: b}\n    expect: {disposition: OK}\n",
        ['scenario.yaml:18: steps[1].expect.disposition: "OK" is not one of DELIVERED, DROPPED'],
    ),
    (
        BASE + "  - run: {node: node1, command: ip route}\n    expect: {regex: '('}\n",
        [
            "scenario.yaml:18: steps[1].expect.regex: not a regular expression: missing ), "
            "unterminated subpattern at position 0"
        ],
    ),
    (
        BASE + "  - failLink: {node: node5}\n",
        [
            'scenario.yaml:17: steps[1].failLink.node: "node5" is not a node of the cluster at '
            "this step"
        ],
    ),
]


@pytest.mark.parametrize(
    ("text", "messages"), BAD, ids=[m[0].split(": ", 1)[1][:40] for _, m in BAD]
)
def test_bad_input_is_refused_with_file_line_and_field(text: str, messages: list[str]) -> None:
    assert _errors(text) == messages


def test_several_problems_are_all_reported_by_line() -> None:
    text = _edit(
        "  - {name: b, node: node2}", "  - {name: b, node: node8}\n  - {name: c, node: n9}"
    )
    assert _errors(text) == [
        'scenario.yaml:13: pods[1].node: "node8" is not a node of the cluster',
        'scenario.yaml:14: pods[2].node: "n9" is not a node of the cluster',
    ]


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"nope.yaml: No such file or directory"):
        load(str(tmp_path / "nope.yaml"))


# --- the commands ------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return str(path)


def test_run_exit_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, BASE)
    assert main(["run", good]) == 0
    out = capsys.readouterr().out
    assert "ping a -> b" in out and out.endswith(
        "ok: 1 step (0 failed), 1 expectations: 1 held, 0 failed\n"
    )
    bad = _write(tmp_path, BASE.replace("received: 1", "received: 0"))
    assert main(["run", bad]) == 1
    out = capsys.readouterr().out
    assert "x received 0: received 1" in out
    assert main(["run", _write(tmp_path, BASE.replace("node: node2", "node: node7"))]) == 2
    assert capsys.readouterr().err.endswith(
        'scenario.yaml:13: pods[1].node: "node7" is not a node of the cluster\n'
    )


def test_run_on_a_machine_without_the_sandbox(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--backend kernel`` where unprivileged user namespaces are off: exit 2, why."""
    from netsim.backends.linux import sandbox

    monkeypatch.setattr(sandbox, "unavailable_reason", lambda: "unshare failed: EPERM")
    path = _write(tmp_path, BASE)
    assert main(["run", "--backend", "kernel", path]) == 2
    assert capsys.readouterr().err == (
        "netsim run: --backend kernel: no kernel sandbox on this machine: unshare failed: EPERM\n"
    )
    assert main(["trace", "--backend", "kernel", "--from", "a", "--to", "b", path]) == 2
    assert capsys.readouterr().err.startswith("netsim trace: --backend kernel: no kernel sandbox")


def test_run_json_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, BASE)
    assert main(["run", "--json", "--seed", "7", path]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["ok"], report["seed"], report["backend"]) == (True, 7, "sim")
    assert report["build"]["observed"]["pods"]["default/b"] == {"node": "node2", "ip": "10.244.1.2"}
    step = report["steps"][0]
    assert (step["number"], step["line"], step["action"], step["status"]) == (1, 15, "ping", "held")
    assert step["expectations"] == [{"what": "received 1", "held": True, "observed": 1}]
    assert step["observed"]["dst"] == "10.244.1.2"


def test_a_failed_action_fails_its_step_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE.replace("  maxPods", "") + "  - addPod: {name: c, node: node1}\n"
    text = text.replace("  nodes: 2\n", "  nodes: 2\n  maxPods: 1\n")
    text += "  - ping: {from: b, to: a}\n    expect: {received: 1}\n"
    assert main(["run", _write(tmp_path, text)]) == 1
    out = capsys.readouterr().out
    assert (
        "error: OutOfpods: Node didn't have enough resource: pods, requested: 1, used: 1, "
        "capacity: 1" in out
    )
    assert out.splitlines()[-2].split()[-2:] == ["held", "1/1"]  # the next step ran


def test_a_failed_build_skips_the_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE.replace("cniConf:", "ipMasq: true\n      xcniConf:").replace("xcniConf", "cniConf")
    text = text.replace(
        "          - {type: flannel, delegate: {isDefaultGateway: true}}",
        "          - {type: nosuchplugin}",
    )
    assert main(["run", _write(tmp_path, text)]) == 1
    out = capsys.readouterr().out
    assert "error: pod default/a: failed to setup network for sandbox" in out
    assert 'failed to find plugin "nosuchplugin"' in out
    assert "ping a -> b" in out and "skipped" in out


def test_trace_command(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "scenarios/k8s/flannel-vxlan.yaml")
    assert main(["trace", path, "--from", "a1", "--to", "b2", "--step", "0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ping a1 -> b2 (10.244.1.3): 1 packets transmitted, 1 received\n")
    assert "    ENCAPSULATED flannel.1 (vni 1 172.18.0.2:" in out
    assert "      vxlan: VNI 1, VTEP 172.18.0.2 -> 172.18.0.3, UDP port 8472\n" in out
    assert "      route: 10.244.1.3 from 10.244.0.2 via 10.244.1.0 dev flannel.1\n" in out
    assert "-A FLANNEL-POSTRTG -s 10.244.0.0/24 -d 10.244.0.0/16" in out  # RETURN: no NAT
    assert "  pod b2 (cni-" in out and "reply: flow " in out
    assert main(["trace", path, "--from", "a1", "--to", "zz"]) == 2
    assert capsys.readouterr().err == 'netsim trace: pod "default/zz" not found\n'
    assert main(["trace", path, "--from", "a1", "--to", "b2", "--step", "9"]) == 2
    assert capsys.readouterr().err == "netsim trace: --step 9: the scenario has 8 steps\n"


def test_trace_json_shows_a_source_nat(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "scenarios/k8s/flannel-vxlan.yaml")
    assert main(["trace", path, "--from", "b1", "--to", "172.18.0.1", "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["notes"] == [
        "source NAT: the request left as 172.18.0.3 (the reply is addressed there)"
    ]
    node2 = j["request"]["hops"][1]
    decisions = [d for s in node2["steps"] for d in s["decisions"]]
    assert any("MASQUERADE --random-fully" in d and d.startswith("nat: [+1]") for d in decisions)
    assert [h["name"] for h in j["reply"]["hops"]] == ["underlay", "node2", "b1"]


def test_show_command(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(ROOT / "scenarios/k8s/node-join-leave.yaml")
    assert main(["show", path, "--node", "node4", "--pod", "d1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("== node node4 (172.18.0.5)\n$ ip link show\n1: lo:")
    assert "$ ip route show\ndefault via 172.18.0.1 dev eth0 \n" in out
    assert "10.244.0.0/24 via 10.244.0.0 dev flannel.1 onlink \n" in out
    assert "$ iptables -t nat -S\n-P PREROUTING ACCEPT\n" in out
    assert "\n== pod default/d1 (10.244.3.2, on node4, netns cni-" in out
    assert main(["show", path, "--node", "node3"]) == 2  # removed by the steps
    assert capsys.readouterr().err == 'netsim show: node "node3" not found\n'
    assert main(["show", path, "--node", "node3", "--step", "1"]) == 0


def test_failed_expectations_say_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = BASE + (
        "  - trace: {from: a, to: b}\n"
        "    expect:\n"
        "      hops: [a, node1, node2, b]\n"
        '      steps: ["ENCAPSULATED flannel.1 (vni 2", "SENT eth0"]\n'
        "  - expect:\n"
        "      tables:\n"
        "        - {node: node1, route: 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink,\n"
        "           absent: true}\n"
        "        - {node: node2, neigh: 10.9.9.9}\n"
        "  - run: {pod: b, command: cat /nonexistent}\n"
        "    expect: {status: 0, contains: x}\n"
    )
    assert main(["run", _write(tmp_path, text)]) == 1
    notes = [ln.strip() for ln in capsys.readouterr().out.splitlines() if ln.strip()[:2] == "x "]
    assert notes == [
        "x hops a > node1 > node2 > b: hops: a > node1 > underlay > node2 > b",
        "x shows 'ENCAPSULATED flannel.1 (vni 2': not shown",
        "x node node1 route has no '10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink': "
        "found: 10.244.1.0/24 via 10.244.1.0 dev flannel.1 onlink",
        "x node node2 neigh has '10.9.9.9': not in `ip neigh show`",
        "x stdout contains 'x': not in stdout",
        "x exit status 0: exit status 1",
    ]


def test_the_build_reports_progress() -> None:
    calls: list[tuple[int, int, str]] = []
    run_scenario(loads(BASE), progress=lambda *a: calls.append(a))
    assert calls == [(1, 4, "node node1"), (2, 4, "node node2"), (3, 4, "pod default/a"),
                     (4, 4, "pod default/b")]  # fmt: skip


def test_the_summary_on_a_terminal_is_a_rich_table() -> None:
    import io

    from netsim.scenario.render import render_report

    out = io.StringIO()
    render_report(run_scenario(loads(BASE))[0], out, terminal=True)
    text = out.getvalue()
    assert "┏" in text and "ping a -> b" in text and "\x1b[" in text  # box, colours
    assert "ok: 1 step (0 failed), 1 expectations: 1 held, 0 failed" in text


RACKS = """
version: 1
cluster:
  nodes: [n1, n2]
  underlay:
    cidr: 172.18.0.0/16
    racks:
      - {name: r1, cidr: 172.18.1.0/24, nodes: [n1]}
      - {name: r1, cidr: 172.18.1.128/25, nodes: [n1]}
  network: {flannel: {}}
steps:
  - addNode: n3
  - addNode: {node: n4, rack: r9}
"""


def test_racks_are_checked_with_their_lines() -> None:
    with pytest.raises(ScenarioError) as e:
        loads(RACKS, "racks.yaml")
    assert [str(p) for p in e.value.problems] == [
        "racks.yaml:6: cluster.underlay.cidr: give cidr (one segment) or racks, not both",
        'racks.yaml:7: cluster.underlay.racks: node "n2" is in no rack',
        "racks.yaml:9: cluster.underlay.racks[1].cidr: 172.18.1.128/25 overlaps 172.18.1.0/24",
        'racks.yaml:9: cluster.underlay.racks[1].name: "r1" is already a rack',
        'racks.yaml:9: cluster.underlay.racks[1].nodes[0]: "n1" is already in rack r1',
        'racks.yaml:12: steps[0].addNode: "n3" is in no rack: give addNode a rack',
        'racks.yaml:13: steps[1].addNode.rack: "r9" is not a rack of the underlay',
    ]


def test_a_rack_fills_up_with_the_underlays_words() -> None:
    sc = loads(
        RACKS.replace("    cidr: 172.18.0.0/16\n", "")
        .replace(
            "      - {name: r1, cidr: 172.18.1.128/25, nodes: [n1]}",
            "      - {name: r2, cidr: 172.18.2.0/30, nodes: [n2, n3]}",
        )
        .replace("  - addNode: {node: n4, rack: r9}\n", "")
    )
    report, _ = run_scenario(sc)
    assert report.build.observed["nodes"]["n2"] == {"ip": "172.18.2.2", "podCIDR": "10.244.1.0/24",
                                                    "rack": "r2"}  # fmt: skip
    assert report.steps[0].error == "rack r2 (172.18.2.0/30) has no address left for node n3"


def test_restarting_flanneld_needs_flannel() -> None:
    """On a conflist cluster there is no flanneld: the step fails with why."""
    sc = loads(
        textwrap.dedent("""\
        version: 1
        cluster:
          nodes: 1
          network:
            conflist: {cniVersion: 1.0.0, name: net, plugins: [{type: bridge, bridge: br0,
                       ipam: {type: host-local, subnet: "{{podCIDR}}"}}]}
        steps:
          - restartFlanneld: node1
          - restartFlanneld: node1
            expect: {error: runs no flanneld}
        """)
    )
    report, _ = run_scenario(sc)
    first, second = report.steps
    assert (first.status, first.error) == (
        "failed",
        "the pod network runs no flanneld (a conflist): nothing to restart",
    )
    assert second.status == "held"

"""A step's expectations, checked against what the step observed and, for
``reachability`` and ``tables``, against the cluster right after the step."""

from __future__ import annotations

import re
from typing import Any, Final

from netsim.scenario.check import pod_key
from netsim.scenario.journey import Journey
from netsim.scenario.model import Step
from netsim.scenario.report import Check
from netsim.scenario.session import BaseSession

__all__ = ["TABLE_COMMANDS", "evaluate", "records"]

#: What a table check reads, as netsim sh prints it.
TABLE_COMMANDS: Final = {
    "link": "ip -d link show",
    "addr": "ip addr show",
    "route": "ip route show",
    "neigh": "ip neigh show",
    "fdb": "bridge fdb show",
    "nat": "iptables -t nat -S",
    "filter": "iptables -S",
}


def _strings(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def records(text: str) -> list[str]:
    """Output lines, a line that starts with blanks joined to the one before
    (``ip link``'s second line, a multipath route's nexthops)."""
    out: list[str] = []
    for line in text.splitlines():
        if line[:1].isspace() and out:
            out[-1] += " " + line.strip()
        elif line.strip():
            out.append(line.strip())
    return out


def _same(token: str, word: str) -> bool:
    """A word of the output is the word expected, allowing for ``ip link``'s
    ``3: flannel.1:`` and ``eth0@if5:``."""
    return token == word or token.rstrip(":").split("@")[0] == word


def _has(record: str, words: list[str]) -> bool:
    """``words`` appear in ``record``, one after another."""
    tokens = record.split()
    n = len(words)
    return any(
        all(_same(t, w) for t, w in zip(tokens[i : i + n], words, strict=True))
        for i in range(len(tokens) - n + 1)
    )


def _ping_checks(expect: dict[str, Any], obs: dict[str, Any]) -> list[Check]:
    out = []
    if "received" in expect:
        want = expect["received"]
        out.append(
            Check(
                f"received {want}",
                obs["received"] == want,
                obs["received"],
                "" if obs["received"] == want else f"received {obs['received']}",
            )
        )
    if "loss" in expect:
        want = expect["loss"]
        out.append(
            Check(
                f"loss {want}%",
                obs["loss"] == want,
                obs["loss"],
                "" if obs["loss"] == want else f"{obs['loss']}% packet loss",
            )
        )
    if "status" in expect:
        out.append(_status(expect["status"], obs["status"]))
    for text in _strings(expect.get("contains", [])):
        held = text in obs["output"]
        out.append(
            Check(
                f"output contains {text!r}",
                held,
                None if held else obs["output"],
                "" if held else "not in the output",
            )
        )
    return out


def _status(want: int, got: int) -> Check:
    return Check(
        f"exit status {want}", got == want, got, "" if got == want else f"exit status {got}"
    )


def _run_checks(expect: dict[str, Any], obs: dict[str, Any]) -> list[Check]:
    out = []
    stdout = obs["stdout"]
    for key in ("stdout", "stderr"):
        if key in expect:
            held = obs[key] == expect[key]
            out.append(
                Check(f"{key} is {expect[key]!r}", held, obs[key], "" if held else f"{key} differs")
            )
    for text in _strings(expect.get("contains", [])):
        held = text in stdout
        out.append(
            Check(
                f"stdout contains {text!r}",
                held,
                None if held else stdout,
                "" if held else "not in stdout",
            )
        )
    for text in _strings(expect.get("notContains", [])):
        held = text not in stdout
        out.append(
            Check(
                f"stdout does not contain {text!r}",
                held,
                None if held else stdout,
                "" if held else "in stdout",
            )
        )
    if "regex" in expect:
        m = re.search(expect["regex"], stdout, re.MULTILINE)
        out.append(
            Check(
                f"stdout matches /{expect['regex']}/",
                m is not None,
                m.group(0) if m else stdout,
                "" if m else "no match",
            )
        )
    if "status" in expect:
        out.append(_status(expect["status"], obs["status"]))
    return out


def _trace_checks(expect: dict[str, Any], journey: Journey) -> list[Check]:
    out = []
    if "disposition" in expect:
        want, got = expect["disposition"], journey.disposition
        why = "" if want == got else f"{got}" + (f" ({journey.reason})" if journey.reason else "")
        out.append(Check(f"disposition {want}", want == got, got, why))
    if "reason" in expect:
        held = expect["reason"] in journey.reason
        out.append(
            Check(
                f"reason contains {expect['reason']!r}",
                held,
                journey.reason,
                "" if held else f"reason: {journey.reason or '(none)'}",
            )
        )
    if "hops" in expect:
        hops = journey.hop_names
        held = hops == expect["hops"]
        out.append(
            Check(
                f"hops {' > '.join(expect['hops'])}",
                held,
                hops,
                "" if held else "hops: " + " > ".join(hops),
            )
        )
    if "steps" in expect:
        lines = journey.lines()
        at = 0
        for text in expect["steps"]:
            found = next((i for i in range(at, len(lines)) if text in lines[i]), None)
            held = found is not None
            why = (
                ""
                if held
                else (
                    "not shown after the previous one"
                    if any(text in ln for ln in lines)
                    else "not shown"
                )
            )
            shown = lines[found].strip() if found is not None else None
            out.append(Check(f"shows {text!r}", held, shown, why))
            at = found + 1 if found is not None else at
    return out


def reachability(session: BaseSession, refs: list[str] | str) -> Check:
    """Every pod of ``refs`` (or every pod) pings every other once."""
    pods = session.cluster.pods()
    if refs != "all":
        keys = [pod_key(r) for r in refs]
        pods = [p for k in keys for p in pods if f"{p.namespace}/{p.name}" == k]
    failed = []
    pairs = 0
    for a in pods:
        for b in pods:
            if a is b:
                continue
            pairs += 1
            if b.ip is None or session.ping(a, b.ip, count=1, timeout=1.0).received != 1:
                failed.append(f"{a.name} -> {b.name} ({b.ip})")
    what = f"{'all ' if refs == 'all' else ''}{len(pods)} pods reach each other ({pairs} pairs)"
    return Check(
        what,
        not failed,
        {"pairs": pairs, "unreachable": failed},
        f"unreachable: {', '.join(failed)}" if failed else "",
    )


def tables(session: BaseSession, check: dict[str, Any]) -> list[Check]:
    absent = bool(check.get("absent", False))
    where = f"node {check['node']}" if "node" in check else f"pod {check['pod']}"
    out = []
    for kind, command in TABLE_COMMANDS.items():
        if kind not in check:
            continue
        if "node" in check:
            res = session.shells.node(check["node"], command)
        else:
            namespace, name = pod_key(check["pod"]).split("/", 1)
            res = session.shells.pod(name, command, namespace=namespace)
        recs = records(res.stdout)
        for entry in _strings(check[kind]):
            match = next((r for r in recs if _has(r, entry.split())), None)
            held = (match is None) if absent else (match is not None)
            what = f"{where} {kind} {'has no' if absent else 'has'} {entry!r}"
            why = "" if held else (f"found: {match}" if absent else f"not in `{command}`")
            out.append(Check(what, held, match if match or held else res.stdout, why))
    return out


def evaluate(
    session: BaseSession,
    step: Step,
    obs: dict[str, Any],
    error: str,
    journey: Journey | None = None,
) -> list[Check]:
    """Every expectation of ``step``."""
    expect = step.expect
    out: list[Check] = []
    if "error" in expect:
        held = bool(error) and expect["error"] in error
        why = "" if held else (f"the error was: {error}" if error else "the step did not fail")
        out.append(Check(f"fails with {expect['error']!r}", held, error or None, why))
    elif error:
        return out  # the step failed; its other expectations cannot be judged
    if step.action == "ping" and not error:
        out += _ping_checks(expect, obs)
    elif step.action == "run" and not error:
        out += _run_checks(expect, obs)
    elif step.action == "trace" and journey is not None:
        out += _trace_checks(expect, journey)
    if "reachability" in expect:
        out.append(reachability(session, expect["reachability"]))
    for check in expect.get("tables", []):
        out += tables(session, check)
    return out

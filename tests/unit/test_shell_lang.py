"""``netsim sh`` language features that bash cannot be asked about directly:
globbing over the virtual ``/sys`` and ``/proc``, the arithmetic evaluator on
its own, the CLI's handling of a late syntax error, and ``ip netns exec`` of a
function."""

from __future__ import annotations

import pytest

from netsim import World
from netsim.cli import main
from netsim.shell import ShellResult
from netsim.shell.arith import ArithError, arith_eval
from netsim.shell.builtins_shell import read_split
from netsim.shell.glob import match


def test_glob_over_sysfs() -> None:
    w = World(seed=1)
    r = w.sh(
        "ip link add veth0 type veth peer name veth1\n"
        'for f in /sys/class/net/*/ifindex; do echo "$f $(cat $f)"; done\n'
        "echo /sys/class/net/veth* /sys/class/net/nope* /s*\n"
        "echo /proc/sys/net/ipv4/ip_forwar?\n"
        "mkdir -p /etc/cni/net.d; echo '{}' > /etc/cni/net.d/10-a.conf\n"
        "echo x > /etc/cni/net.d/20-b.conflist; ls /etc/cni/net.d/*.conf\n"
        "cd /sys/class/net && echo *\n"
    )
    assert r == ShellResult(
        "/sys/class/net/lo/ifindex 1\n"
        "/sys/class/net/veth0/ifindex 3\n"
        "/sys/class/net/veth1/ifindex 2\n"
        "/sys/class/net/veth0 /sys/class/net/veth1 /sys/class/net/nope* /sys\n"
        "/proc/sys/net/ipv4/ip_forward\n"
        "/etc/cni/net.d/10-a.conf\n"
        "lo veth0 veth1\n",
        "",
        0,
    )


def test_ip_netns_exec_does_not_see_functions() -> None:
    # a function lives in the shell; ``ip netns exec`` runs a program
    w = World(seed=1)
    r = w.sh(
        "ip netns add c\nls() { echo mine; }\nls /sys/class/net\nip netns exec c ls /sys/class/net"
    )
    assert r == ShellResult("mine\nlo\n", "", 0)


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("-7 / 2", -3),
        ("-7 % 2", -1),
        ("2 ** 63", -(2**63)),
        ("1 ? 2 : 3", 2),
        ("0 || 0 && 1/0", 0),
        ("x = y = 4, x + y", 8),
        ("64#_ + 16#ff", 63 + 255),
        ("", 0),
    ],
)
def test_arith_eval(expr: str, value: int) -> None:
    env: dict[str, str] = {}
    assert arith_eval(expr, lambda n: env.get(n, ""), env.__setitem__) == value


@pytest.mark.parametrize(
    ("expr", "message", "token"),
    [
        ("1/0", "division by 0", "0"),
        ("1 +", "syntax error: operand expected", "+"),
        ("2 3", "syntax error in expression", "3"),
        ("(1", "missing `)'", "1"),
        ("08", "value too great for base", "08"),
        ("__import__('os')", "syntax error in expression", "('os')"),
    ],
)
def test_arith_errors(expr: str, message: str, token: str) -> None:
    with pytest.raises(ArithError) as e:
        arith_eval(expr, lambda n: "", lambda n, v: None)
    assert (e.value.message, e.value.token) == (message, token)


def test_read_split_and_patterns() -> None:
    assert read_split("  a b  c  ", " \t\n", 2) == ["a", "b  c"]
    assert read_split("a:b:", ":", 2) == ["a", "b"]
    assert read_split("", " ", 3) == ["", "", ""]
    assert match("a\\*[0-9]?", "a*5x") and not match("a\\*", "ab")
    assert match("[[:digit:]]*", "4x") and match("[]a]", "]")


def test_cli_runs_lines_before_a_syntax_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sh", "-c", "echo one\nx=$((2+3)); echo $x\nif then\necho never"]) == 2
    out, err = capsys.readouterr()
    assert out == "one\n5\n"
    assert err == (
        "netsim: line 3: syntax error near unexpected token `then'\nnetsim: line 3: `if then'\n"
    )


def test_unsupported_syntax_still_reported() -> None:
    r = World(seed=1).sh("echo a\nsleep 1 &\necho b")
    assert r == ShellResult(
        "a\n",
        "netsim: line 2: unsupported shell syntax: background '&' for sleep "
        "(only a daemon runs in the background)\n",
        2,
    )

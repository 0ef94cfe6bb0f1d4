"""``netsim sh``: command substitution, ``[[ ]]``, ``cd``/``pwd``, positional
parameters, ``while``/``until``, ``${X:-...}``, ``grep`` and the text filters,
and the virtual ``/sys`` files.  Expected outputs were checked against bash 5
and GNU grep/coreutils where they run the same script."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from netsim import World
from netsim.cli import main
from netsim.shell import Shell, ShellResult

FINDER = """#!/bin/bash
echo -e "----statrt-------"
cd /sys/class/net/
for i in `ls |grep veth`;do
  index=$(cat $i/ifindex)
  if [[ ${index} == ${1} ]];then
       echo -e "${i}\\n"
       echo -e "${index}"
  fi
done
echo -e "----------end--------"
"""


def sh(script: str, *args: str) -> ShellResult:
    return World(seed=1).sh(script, args=args)


def test_command_substitution() -> None:
    r = sh(
        'x=$(echo hi; echo there); echo "$x" $x\n'
        'y=`echo a   b`; echo $y "${#y}"\n'
        "echo $(echo $(echo nested)) \"$(echo 'a  b')\" $(echo -e 'p\\n\\n')end\n"
        "x=$(exit 3); echo $?; z=$(false); echo $?\n"
        "x=1; y=$(x=2; echo $x); echo $x $y\n"
        "cd /tmp; z=$(cd /; pwd); echo $z; pwd\n"
        "cat <<EOF\nsub: $(echo in here) `echo bt`\nEOF\n"
        "for w in $(echo 'a b' c); do echo \"[$w]\"; done"
    )
    assert r == ShellResult(
        "hi\nthere hi there\na b 3\nnested a  b pend\n3\n1\n1 2\n/\n/tmp\n"
        "sub: in here bt\n[a]\n[b]\n[c]\n",
        "",
        0,
    )


def test_command_substitution_stderr_and_errors() -> None:
    r = sh('x=$(echo out; ls nope); echo "$x" $?')
    assert r == ShellResult("out 2\n", "ls: cannot access 'nope': No such file or directory\n", 0)
    assert sh("echo `echo a").status == 2
    assert sh("echo $(echo a").status == 2


def test_double_brackets() -> None:
    r = sh(
        'X="a b"; [[ $X == "a b" ]] && echo nosplit; [[ $X == a?b ]] && echo q\n'
        '[[ $X != a* ]]; echo $?; [[ abc == "a*" ]] || echo quoted\n'
        "P='a*'; [[ abc == $P ]] && echo varglob; [[ abc = \"$P\" ]]; echo $?\n"
        "[[ ! -e /nonexist ]] && echo ne; [[ -d /tmp && -f /tmp ]]; echo $?\n"
        "[[ 10 -gt 9 ]] && echo gt; [[ 10 > 9 ]]; echo $?; [[ a < b ]]; echo $?\n"
        '[[ "" ]]; echo $?; [[ -n x ]]; echo $?; [[ -z "" && ( 1 -lt 2 || x ) ]]; echo $?\n'
        "[[ ! ( a == b ) ]]; echo $?"
    )
    assert r == ShellResult(
        "nosplit\nq\n1\nquoted\nvarglob\n1\nne\n1\ngt\n1\n0\n1\n0\n0\n0\n", "", 0
    )


def test_double_brackets_errors() -> None:
    # bash rejects these when parsing; netsim when evaluating (same status)
    assert sh("[[ ]]").status == 2
    r = sh("[[ a -foo b ]]")
    assert r == ShellResult("", "netsim: line 1: conditional binary operator expected\n", 2)


def test_cd_and_pwd() -> None:
    r = sh(
        "pwd; mkdir /tmp/d; cd /tmp; pwd; echo x > d/f; cd d; cat f; ls\n"
        "[ -f f ] && echo rel; cd ..; pwd; cd nope; echo $?; cd; pwd"
    )
    assert r == ShellResult(
        "/root\n/tmp\nx\nf\nrel\n/tmp\n1\n/root\n",
        "netsim: line 2: cd: nope: No such file or directory\n",
        0,
    )
    assert sh("echo > /tmp/f; cd /tmp/f").stderr == (
        "netsim: line 1: cd: /tmp/f: Not a directory\n"
    )


def test_positional_parameters() -> None:
    r = sh(
        'echo "$0 $# [$1] [${2}] [$3] $*"; for a in "$@"; do echo "<$a>"; done\n'
        'for a in "x$@y"; do echo "[$a]"; done; for a in $@; do echo "{$a}"; done\n'
        'shift; echo "$1 $#"; shift 5; echo $?',
        "A",
        "B C",
    )
    assert r == ShellResult(
        "netsim 2 [A] [B C] [] A B C\n<A>\n<B C>\n[xA]\n[B Cy]\n{A}\n{B}\n{C}\nB C 1\n1\n",
        "",
        0,
    )
    assert sh('for a in "$@"; do echo x; done; echo "$#"').stdout == "0\n"


def test_while_until_and_parameter_expansion() -> None:
    r = sh(
        "n=0; while true; do n=${n}1; if [[ $n == 0111 ]]; then break; fi; continue; done\n"
        "echo $n; i=a; until [ $i = aaa ]; do i=${i}a; done; echo $i\n"
        'E=""; X="a b"; echo "${E:-d}" "${E-d}" "${#X}" "${NOPE:-$X}"; echo ${Q=w} $Q\n'
        "echo ${E:=set} $E; while false; do :; done; echo $?"
    )
    assert r == ShellResult("0111\naaa\nd  3 a b\nw w\nset set\n0\n", "", 0)


def test_grep() -> None:
    r = sh(
        "echo -e 'a+b\\naab\\nAB\\nab cd\\nabc' > g\n"
        "grep 'a+b' g; echo -; grep 'a\\+b' g; echo -; grep -E 'a+b' g; echo -\n"
        "grep -i -n ab g; echo -; grep -w ab g; grep -x abc g; grep -vc a g\n"
        "grep -F 'a+b' g; grep 'a\\|c' g | wc -l; grep -c zz g; echo $?\n"
        "echo hi | grep -q h; echo $?; grep x g nofile; echo $?; grep; echo $?"
    )
    assert r.stdout == (
        "a+b\n-\naab\nab cd\nabc\n-\naab\nab cd\nabc\n-\n"
        "2:aab\n3:AB\n4:ab cd\n5:abc\n-\nab cd\nabc\n1\n"
        "a+b\n4\n0\n1\n0\n2\n2\n"
    )
    assert r.stderr == (
        "grep: nofile: No such file or directory\n"
        "Usage: grep [OPTION]... PATTERNS [FILE]...\n"
        "Try 'grep --help' for more information.\n"
    )


def test_text_filters() -> None:
    r = sh(
        "echo -e '3\\n1\\n2\\n1' > f; sort f | head -n 2; tail -n 1 f; head -2 f\n"
        "sort -nru f; wc -l f; cat f | wc -l; head -n x f; echo $?"
    )
    assert r == ShellResult(
        "1\n1\n1\n3\n1\n3\n2\n1\n4 f\n4\n1\n", "head: invalid number of lines: 'x'\n", 0
    )


def _fake_sysfs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    files = {"/sys/class/net/veth1/ifindex": "5\n", "/sys/class/net/veth2/ifindex": "7\n"}
    files["/sys/class/net/eth0/ifindex"] = "7\n"
    dirs = {"/sys", "/sys/class", "/sys/class/net"} | {f.rsplit("/", 1)[0] for f in files}

    def sys_read(world: World, netns: str, path: str) -> str | None:
        seen.append(netns)
        return files.get(path)

    def sys_listdir(world: World, netns: str, path: str) -> list[str] | None:
        if path not in dirs:
            return None
        prefix = path + "/"
        names = {p[len(prefix) :].split("/")[0] for p in files | dict.fromkeys(dirs)}
        return sorted(n for n in names if n and p_ok(prefix + n))

    def p_ok(p: str) -> bool:
        return any(q == p or q.startswith(p + "/") for q in [*files, *dirs])

    fake = types.SimpleNamespace(
        sys_read=sys_read,
        sys_listdir=sys_listdir,
        sys_isdir=lambda world, netns, path: path in dirs,
        sys_exists=lambda world, netns, path: path in dirs or path in files,
    )
    monkeypatch.setitem(sys.modules, "netsim.shell.sysfs", fake)
    return seen


def test_finder_script_with_fake_sysfs(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _fake_sysfs(monkeypatch)
    r = sh(FINDER, "7")
    assert r == ShellResult("----statrt-------\nveth2\n\n7\n----------end--------\n", "", 0)
    assert set(seen) == {"init_net"}
    r = sh("cd /sys/class/net; ls; [[ -d veth1 && -e veth1/ifindex ]] && echo yes; cat veth1")
    assert r == ShellResult("eth0\nveth1\nveth2\nyes\n", "cat: veth1: Is a directory\n", 1)


def test_finder_script_with_real_sysfs() -> None:
    pytest.importorskip("netsim.shell.sysfs")
    w = World(seed=1)
    setup = (
        "ip netns add c; ip link add veth9 type veth peer name eth0 netns c\n"
        "ip link add vethx type veth peer name y"
    )
    assert w.sh(setup).status == 0
    iflink = Shell(w, netns="c").run("cat /sys/class/net/eth0/iflink").stdout.strip()
    assert iflink == w.sh("cat /sys/class/net/veth9/ifindex").stdout.strip()
    r = w.sh(FINDER, args=[iflink])
    assert r == ShellResult(f"----statrt-------\nveth9\n\n{iflink}\n----------end--------\n", "", 0)


def test_cli_script_args(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "s.sh"
    script.write_text('echo "$0|$#|$1|$2"\n')
    assert main(["sh", str(script), "a", "-x"]) == 0
    assert capsys.readouterr().out == f"{script}|2|a|-x\n"
    assert main(["sh", "-c", 'echo "$0|$#|$1"', "name", "b"]) == 0
    assert capsys.readouterr().out == "name|1|b\n"


def test_default_word_quoting_and_splitting() -> None:
    r = sh(
        "X=\n"
        'echo ${X:-"a  b"} "${X:-\'q\'}" ${X:-$(echo s t)} ${X:-a  b}x\n'
        'for w in ${X:-"a  b"c d}; do echo "[$w]"; done\n'
        'echo ${Y:=p  q} "$Y" ${#Y}'
    )
    assert r == ShellResult("a  b 'q' s t a bx\n[a  bc]\n[d]\np q p  q 4\n", "", 0)


def test_double_brackets_short_circuit_and_line_numbers() -> None:
    r = sh(
        '[[ -n "" && $(echo bad >&2) ]]; echo $?\n'
        "[[ -n x || $(echo bad >&2) == y ]]; echo $?\n"
        "x=$(echo a\necho b)\necho $x; cd nope\n"
        'echo "`echo \\`echo in\\``"'
    )
    assert r == ShellResult(
        "1\n0\na b\nin\n", "netsim: line 5: cd: nope: No such file or directory\n", 0
    )


def test_tr_and_word_boundaries() -> None:
    r = sh(
        "echo Hello-World | tr a-z A-Z; echo a.b.c | tr . '\\n'; echo abcabc | tr -d b\n"
        "echo abc | tr abc x; echo 'ab abc' | grep -o 2>/dev/null; echo 'ab abc' | grep '\\<abc'"
    )
    assert r == ShellResult("HELLO-WORLD\na\nb\nc\nacac\nxxx\nab abc\n", "", 0)


def test_set_dash_dash_sets_the_positional_parameters() -> None:
    res = World(seed=1).sh('set -- a "b c"; echo $# "$2"; set -e -- x; echo $# $1')
    assert (res.stdout, res.status) == ("2 b c\n1 x\n", 0)


def test_ip_netns_exec_runs_builtins_in_that_namespace() -> None:
    """``ip netns exec`` remounts /sys for the namespace: cat and ls see its devices."""
    w = World(seed=1)
    res = w.sh(
        "ip netns add c\n"
        "ip link add veth9 type veth peer name eth0 netns c\n"
        "ip netns exec c cat /sys/class/net/eth0/iflink\n"
        "ip netns exec c ls /sys/class/net\n"
        "ls /sys/class/net\n"
    )
    assert (res.stdout, res.stderr, res.status) == ("2\neth0\nlo\nlo\nveth9\n", "", 0)


def test_grep_o_prints_each_match() -> None:
    res = World(seed=1).sh(
        "printf_=1\ncat > f <<EOF\na1b22\nccc\nEOF\ngrep -o '[0-9]\\+' f\ngrep -on 'b\\|c' f"
    )
    assert res.stdout == "1\n22\n1:b\n2:c\n2:c\n2:c\n"


def test_file_tests_tell_a_socket_from_a_file() -> None:
    """A unix socket (the dhcp daemon's) is ``-e`` and ``-S`` but not ``-f``;
    ``cat`` of it fails with ENXIO (checked against bash 5 and coreutils)."""
    r = sh(
        "/usr/lib/cni/dhcp daemon -socketpath /run/d.sock > /dev/null 2>&1 &\n"
        "sleep 1; for op in -e -f -S -d; do [ $op /run/d.sock ]; echo -n $?; done\n"
        '[[ -S /run/d.sock && ! -f /run/d.sock && -S /run/d.sock ]]; echo " $?"\n'
        "[ -S /run ]; echo $?; cat /run/d.sock; echo $?"
    )
    assert r == ShellResult("0101 0\n1\n1\n", "cat: /run/d.sock: No such device or address\n", 0)

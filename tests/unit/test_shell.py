"""``netsim sh``: what a user sees (stdout, stderr, status) for each shell feature.
Expected outputs were checked against bash 5 where bash runs the same script."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from netsim import World
from netsim.shell import Shell, ShellResult, run_script
from netsim.shell.proc import Proc


def sh(script: str) -> ShellResult:
    return World(seed=1).sh(script)


def test_echo_variables_and_quoting() -> None:
    r = sh("X=hello; echo $X ${X}world '$X' \"$X  x\" a\\ b  # comment\n")
    assert r == ShellResult("hello helloworld $X hello  x a b\n", "", 0)


def test_echo_options() -> None:
    assert sh('echo -n a; echo -e "b\\tc"; echo -e "d\\c"; echo e').stdout == "ab\tc\nde\n"


def test_word_splitting_of_unquoted_expansions() -> None:
    r = sh(
        'X="a  b"; for w in $X"c d" x$X; do echo "[$w]"; done\n'
        'E=""; for w in $E ""; do echo "<$w>"; done'
    )
    assert r.stdout == "[a]\n[bc d]\n[xa]\n[b]\n<>\n"


def test_and_or_and_status() -> None:
    r = sh(
        "false && echo no || echo yes; echo $?; false; echo $?\n"
        "! false; echo $?; true || false && echo z"
    )
    assert r == ShellResult("yes\n0\n1\n0\nz\n", "", 0)


def test_status_is_last_command() -> None:
    assert sh("true; false").status == 1
    assert sh("false && true").status == 1


def test_set_e_exits_with_failing_status() -> None:
    r = sh(
        "set -e\necho a\nfalse || true\nfalse && true\nif false; then :; fi\n! true\n"
        "echo b\nls nope\necho c\n"
    )
    assert r.stdout == "a\nb\n"
    assert r.stderr == "ls: cannot access 'nope': No such file or directory\n"
    assert r.status == 2


def test_set_plus_e() -> None:
    assert sh("set -e; set +e; false; echo on").stdout == "on\n"


def test_exit() -> None:
    assert sh("echo a; exit 3; echo b") == ShellResult("a\n", "", 3)
    assert sh("false; exit").status == 1


def test_for_loop_multiline() -> None:
    r = sh("for i in 1 2 3\ndo\n  echo n$i\ndone\necho $i\n")
    assert r.stdout == "n1\nn2\nn3\n3\n"


def test_if_elif_else() -> None:
    r = sh("for x in a b; do\n if nosuch; then :; fi\ndone")
    assert r == ShellResult("", "netsim: nosuch: command not supported\n" * 2, 0)
    r = sh(
        "if false; then echo 1; elif true; then echo 2; else echo 3; fi\n"
        "if false\nthen echo x\nelse echo y\nfi"
    )
    assert r.stdout == "2\ny\n"


def test_heredoc_into_file_then_cat() -> None:
    script = (
        "N=world\n"
        "cat > /tmp/a <<EOF\nhello $N\n  \\$N\nEOF\n"
        "cat >> /tmp/a <<'EOF'\nliteral $N\nEOF\n"
        "cat <<-END\n\t\ttabs $N\n\tEND\n"
        "cat /tmp/a\n"
    )
    r = sh(script)
    assert r == ShellResult("tabs world\nhello world\n  $N\nliteral $N\n", "", 0)


def test_redirections_and_dev_null() -> None:
    script = (
        "echo one > f; echo two >> f; cat < f\n"
        "echo gone > /dev/null; nosuch 2>/dev/null; echo $?\n"
        "nosuch &>/dev/null; cat f nope 2> err; cat err\n"
    )
    r = sh(script)
    assert r.stdout == "one\ntwo\n127\none\ntwo\ncat: nope: No such file or directory\n"
    assert r.stderr == ""


def test_2_to_1_merges_in_order() -> None:
    r = sh("echo f > f; cat nope f nope2 2>&1; echo x >&2")
    assert (
        r.stdout
        == "cat: nope: No such file or directory\nf\ncat: nope2: No such file or directory\n"
    )
    assert r.stderr == "x\n"
    r = sh("echo f > f; cat nope f 2>&1 > out; echo ---; cat out")
    assert r.stdout == "cat: nope: No such file or directory\n---\nf\n"


def test_redirect_errors() -> None:
    r = sh("echo x > /nodir/f; echo $?")
    assert r == ShellResult("1\n", "netsim: line 1: /nodir/f: No such file or directory\n", 0)
    r = sh('F="a b"; echo x > $F')
    assert r == ShellResult("", "netsim: line 1: $F: ambiguous redirect\n", 1)


def test_pipes() -> None:
    assert sh("echo hi | cat | cat").stdout == "hi\n"
    assert sh("false | true").status == 0


def test_files_builtins() -> None:
    script = (
        "mkdir d; mkdir d; mkdir x/y; mkdir -p x/y; echo > x/y/f; ls x/y; ls; ls nope; echo $?\n"
        "rm x; rm -r x; rm nope; rm -f nope; echo $?; ls\n"
    )
    r = sh(script)
    assert r.stdout == "f\nd\nx\n2\n0\nd\n"
    assert r.stderr == (
        "mkdir: cannot create directory 'd': File exists\n"
        "mkdir: cannot create directory 'x/y': No such file or directory\n"
        "ls: cannot access 'nope': No such file or directory\n"
        "rm: cannot remove 'x': Is a directory\n"
        "rm: cannot remove 'nope': No such file or directory\n"
    )


def test_state_persists_across_world_sh_calls() -> None:
    w = World(seed=1)
    w.sh("X=1; echo saved > /tmp/s")
    assert w.sh("echo $X; cat /tmp/s") == ShellResult("1\nsaved\n", "", 0)


def test_sleep_advances_simulated_time() -> None:
    w = World(seed=1)
    r = w.sh("sleep 2; sleep 0.5; sleep 1m")
    assert r.status == 0
    assert w.now == pytest.approx(62.5)
    r = w.sh("sleep soon")
    assert r.status == 1
    assert r.stderr.startswith("sleep: invalid time interval 'soon'\n")


def test_unknown_command() -> None:
    assert sh("frobnicate -x") == ShellResult(
        "", "netsim: frobnicate: command not supported\n", 127
    )


def test_syntax_errors_and_unsupported() -> None:
    # bash runs the complete commands before the faulty one (checked with bash 5.2)
    assert sh("echo a\ndone") == ShellResult(
        "a\n",
        "netsim: line 2: syntax error near unexpected token `done'\nnetsim: line 2: `done'\n",
        2,
    )
    assert sh("echo a )").stderr == (
        "netsim: line 1: syntax error near unexpected token `)'\nnetsim: line 1: `echo a )'\n"
    )
    assert sh("sleep 1 &").stderr == (
        "netsim: line 1: unsupported shell syntax: background '&' for sleep "
        "(only a daemon runs in the background)\n"
    )
    assert (
        sh("if true; then echo").stderr == "netsim: line 2: syntax error: unexpected end of file\n"
    )
    assert sh("echo 'open").status == 2
    assert sh("echo a; ; echo b").stderr == (
        "netsim: line 1: syntax error near unexpected token `;'\n"
        "netsim: line 1: `echo a; ; echo b'\n"
    )
    assert sh("cat <<EOF\nno end\n").status == 2


@pytest.fixture
def fake_tool(monkeypatch: pytest.MonkeyPatch) -> list[Proc]:
    seen: list[Proc] = []

    def fake(p: Proc) -> int:
        seen.append(p)
        p.out(f"out {p.argv[1:]}\n")
        p.err("err\n")
        if p.argv[1:] == ["boom"]:
            raise RuntimeError("kaput")
        return 5

    monkeypatch.setitem(sys.modules, "netsim.tools", types.SimpleNamespace(TOOLS={"fake": fake}))
    return seen


def test_tool_lookup_passes_netns_argv_stdin_env(fake_tool: list[Proc]) -> None:
    w = World(seed=1)
    r = w.sh('export E=1\nA="x y"\nV=2 fake $A "q r" <<EOF 2>&1\nin $A\nEOF\necho $?')
    assert r == ShellResult("out ['x', 'y', 'q r']\nerr\n5\n", "", 0)
    (p,) = fake_tool
    assert p.world is w
    assert p.netns == "init_net"
    assert p.argv == ["fake", "x", "y", "q r"]
    assert p.stdin == "in x y\n"
    assert p.env == {"E": "1", "V": "2"}


def test_env_builtin_runs_tool(fake_tool: list[Proc]) -> None:
    r = sh("env K=v fake a")
    assert r.status == 5
    assert fake_tool[0].env == {"K": "v"}


def test_tool_exception_is_reported(fake_tool: list[Proc]) -> None:
    r = sh("fake boom; echo next")
    assert r.stdout == "out ['boom']\nnext\n"
    assert r.stderr == "err\nnetsim: fake: internal error: RuntimeError: kaput\n"


def test_run_script_and_shell() -> None:
    assert run_script(World(seed=1), "echo x").stdout == "x\n"
    shell = Shell(World(seed=1))
    shell.run("X=2")
    assert shell.run("echo $X").stdout == "2\n"


def test_cli_sh(capsys: pytest.CaptureFixture[str]) -> None:
    from netsim.cli import main

    assert main(["sh", "-c", "echo hi; nosuch; exit 4"]) == 4
    captured = capsys.readouterr()
    assert captured.out == "hi\n"
    assert captured.err == "netsim: nosuch: command not supported\n"


def test_test_builtin() -> None:
    r = sh(
        '[ a = a ] && echo y; [ 1 -lt 2 ]; echo $?; [ x -eq 1 ]; echo $?; test -z ""; echo $?\n'
        "[ -d /tmp ] && [ ! -f /tmp ] && echo dir; [ a = b; echo $?; X=; [ $X ]; echo $?"
    )
    assert r.stdout == "y\n0\n2\n0\ndir\n2\n1\n"
    assert r.stderr == (
        "netsim: line 1: [: x: integer expression expected\nnetsim: line 2: [: missing `]'\n"
    )


def test_break_and_continue() -> None:
    r = sh(
        "for i in 1 2 3; do for j in a b c; do\n"
        "  [ $j = b ] && continue; [ $i = 2 ] && break 2; echo $i$j\n"
        "done; done; echo st=$?; break; echo $?"
    )
    assert r.stdout == "1a\n1c\nst=0\n0\n"
    assert r.stderr == (
        "netsim: line 3: break: only meaningful in a `for', `while', or `until' loop\n"
    )


def test_empty_bodies_are_syntax_errors() -> None:
    assert sh("if true; then fi").stderr == (
        "netsim: line 1: syntax error near unexpected token `fi'\n"
        "netsim: line 1: `if true; then fi'\n"
    )
    assert sh("for i in 1; do done").status == 2


def test_redirect_a_loop_and_assignment_env(fake_tool: list[Proc]) -> None:
    r = sh("for i in 1 2; do echo $i; done > out; cat out; X=1 fake; echo X=$X; env A=b")
    assert r.stdout == "1\n2\nout []\nX=\nA=b\n"
    assert fake_tool[0].env == {"X": "1"}


def test_lines_before_a_syntax_error_run() -> None:
    # as bash: each complete command runs before the next line is parsed
    assert sh("echo a\nfi\necho b") == ShellResult(
        "a\n", "netsim: line 2: syntax error near unexpected token `fi'\nnetsim: line 2: `fi'\n", 2
    )


def test_cli_sh_script_file_and_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from netsim.cli import main

    script = tmp_path / "s.sh"
    script.write_text("sleep 3\necho from file\nfalse\n")
    assert main(["sh", "--seed", "7", str(script)]) == 1
    assert capsys.readouterr().out == "from file\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO("echo from stdin\n"))
    assert main(["sh"]) == 0
    assert capsys.readouterr().out == "from stdin\n"
    assert main(["sh", str(script) + ".missing"]) == 127
    assert "No such file or directory" in capsys.readouterr().err

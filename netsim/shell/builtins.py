"""The commands the shell runs itself: ``echo``, ``true``/``false``, ``set``,
``exit``, ``export``, ``env``, ``test``/``[``, ``sleep`` (simulated time) and the file
commands on the in-memory filesystem (``mkdir``, ``ls``, ``cat``, ``rm``, ``cd``,
``pwd``), ``shift``; text filters are in :mod:`netsim.shell.builtins_text`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from netsim.shell.fs import FsError
from netsim.shell.proc import Proc
from netsim.shell.runtime import ExitScript, LoopControl, Streams

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["BUILTINS", "Builtin"]

Builtin = Callable[["Shell", Proc], int]

_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ECHO_ESCAPES: Final = {"n": "\n", "t": "\t", "\\": "\\", "a": "\a", "r": "\r", "e": "\x1b"}
_SLEEP_UNITS: Final = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def _options(args: list[str], allowed: str, prog: str, p: Proc) -> tuple[set[str], list[str]] | int:
    """Split ``-xy`` flags (``--`` ends them) from operands; an unknown flag
    prints coreutils' message and returns the status."""
    flags: set[str] = set()
    rest: list[str] = []
    ended = False
    for a in args:
        if ended or a == "-" or not a.startswith("-"):
            rest.append(a)
        elif a == "--":
            ended = True
        else:
            for c in a[1:]:
                if c not in allowed:
                    p.err(f"{prog}: invalid option -- '{c}'\n")
                    p.err(f"Try '{prog} --help' for more information.\n")
                    return 2 if prog == "ls" else 1
                flags.add(c)
    return flags, rest


def echo(sh: Shell, p: Proc) -> int:
    args = p.argv[1:]
    newline, escapes = True, False
    while args and re.fullmatch(r"-[neE]+", args[0]):
        for c in args[0][1:]:
            newline = newline and c != "n"
            escapes = (escapes or c == "e") and c != "E"
        args = args[1:]
    text = " ".join(args)
    if escapes:
        out: list[str] = []
        i = 0
        while i < len(text):
            c = text[i]
            nxt = text[i + 1 : i + 2]
            if c == "\\" and nxt == "c":
                p.out("".join(out))
                return 0
            if c == "\\" and nxt in _ECHO_ESCAPES:
                out.append(_ECHO_ESCAPES[nxt])
                i += 2
            else:
                out.append(c)
                i += 1
        text = "".join(out)
    p.out(text + ("\n" if newline else ""))
    return 0


def true(sh: Shell, p: Proc) -> int:
    return 0


def false(sh: Shell, p: Proc) -> int:
    return 1


def set_(sh: Shell, p: Proc) -> int:
    """``set [-e|+e] [--] [ARG...]``: errexit, and the positional parameters (``set --
    a b`` sets them; so do words after the options)."""
    args = p.argv[1:]
    for i, a in enumerate(args):
        if a == "--" or a[:1] not in "-+" or len(a) < 2:
            sh.args = args[i + 1 :] if a == "--" else args[i:]
            return 0
        for c in a[1:]:
            if c != "e":
                p.err(f"{sh.argv0}: line {sh.line}: set: {a[0]}{c}: unsupported option\n")
                return 2
            sh.errexit = a[0] == "-"
    return 0


def exit_(sh: Shell, p: Proc) -> int:
    args = p.argv[1:]
    if not args:
        raise ExitScript(sh.status)
    if not re.fullmatch(r"-?[0-9]+", args[0]):
        p.err(f"{sh.argv0}: line {sh.line}: exit: {args[0]}: numeric argument required\n")
        raise ExitScript(2)
    if len(args) > 1:
        p.err(f"{sh.argv0}: line {sh.line}: exit: too many arguments\n")
        return 1
    raise ExitScript(int(args[0]) & 0xFF)


def loop_control(sh: Shell, p: Proc) -> int:
    """``break [N]`` / ``continue [N]``."""
    name, args = p.argv[0], p.argv[1:]
    if args and not re.fullmatch(r"[0-9]+", args[0]):
        p.err(f"{sh.argv0}: line {sh.line}: {name}: {args[0]}: numeric argument required\n")
        if sh.loops:
            raise LoopControl("break", 1)  # what bash does
        return 1
    levels = int(args[0]) if args else 1
    if levels < 1:
        p.err(f"{sh.argv0}: line {sh.line}: {name}: {levels}: loop count out of range\n")
        return 1
    if not sh.loops:
        where = "a `for', `while', or `until' loop"
        p.err(f"{sh.argv0}: line {sh.line}: {name}: only meaningful in {where}\n")
        return 0
    raise LoopControl(name, min(levels, sh.loops))


def export(sh: Shell, p: Proc) -> int:
    status = 0
    for a in p.argv[1:]:
        name, eq, value = a.partition("=")
        if not _NAME.fullmatch(name):
            p.err(f"{sh.argv0}: line {sh.line}: export: `{a}': not a valid identifier\n")
            status = 1
            continue
        if eq:
            sh.vars[name] = value
        sh.exported.add(name)
    return status


def env(sh: Shell, p: Proc) -> int:
    args = p.argv[1:]
    extra = dict(p.env)
    while args and "=" in args[0] and _NAME.fullmatch(args[0].partition("=")[0]):
        name, _, value = args.pop(0).partition("=")
        extra[name] = value
    if not args:
        p.out("".join(f"{k}={v}\n" for k, v in extra.items()))
        return 0
    return sh.call(args, extra, Streams(p.stdin, p.stdout, p.stderr), functions=False)


def sleep(sh: Shell, p: Proc) -> int:
    if len(p.argv) < 2:
        p.err("sleep: missing operand\nTry 'sleep --help' for more information.\n")
        return 1
    total = 0.0
    for a in p.argv[1:]:
        m = re.fullmatch(r"([0-9]*\.?[0-9]+|[0-9]+\.)([smhd]?)", a)
        if m is None:
            p.err(f"sleep: invalid time interval '{a}'\n")
            p.err("Try 'sleep --help' for more information.\n")
            return 1
        total += float(m.group(1)) * _SLEEP_UNITS[m.group(2)]
    p.world.sleep(total)
    return 0


def mkdir(sh: Shell, p: Proc) -> int:
    opts = _options(p.argv[1:], "p", "mkdir", p)
    if isinstance(opts, int):
        return opts
    flags, names = opts
    if not names:
        p.err("mkdir: missing operand\nTry 'mkdir --help' for more information.\n")
        return 1
    status = 0
    for name in names:
        try:
            sh.fs.mkdir(name, parents="p" in flags)
        except FsError as e:
            p.err(f"mkdir: cannot create directory '{name}': {e.strerror}\n")
            status = 1
    return status


def ls(sh: Shell, p: Proc) -> int:
    opts = _options(p.argv[1:], "1", "ls", p)
    if isinstance(opts, int):
        return opts
    names = opts[1] or ["."]
    status = 0
    files: list[str] = []
    dirs: list[str] = []
    for name in names:
        if not sh.fs.exists(name):
            p.err(f"ls: cannot access '{name}': No such file or directory\n")
            status = 2
        else:
            (dirs if sh.fs.is_dir(name) else files).append(name)
    chunks = []
    if files:
        chunks.append("".join(f"{f}\n" for f in sorted(files)))
    for d in sorted(dirs):
        listing = "".join(f"{n}\n" for n in sh.fs.listdir(d))
        chunks.append(f"{d}:\n{listing}" if len(names) > 1 else listing)
    p.out("\n".join(chunks))
    return status


def cat(sh: Shell, p: Proc) -> int:
    status = 0
    for name in p.argv[1:] or ["-"]:
        if name == "-":
            p.out(p.stdin)
            continue
        try:
            p.out(sh.fs.read(name))
        except FsError as e:
            p.err(f"cat: {name}: {e.strerror}\n")
            status = 1
    return status


def rm(sh: Shell, p: Proc) -> int:
    opts = _options(p.argv[1:], "frR", "rm", p)
    if isinstance(opts, int):
        return opts
    flags, names = opts
    if not names and "f" not in flags:
        p.err("rm: missing operand\nTry 'rm --help' for more information.\n")
        return 1
    status = 0
    for name in names:
        try:
            sh.fs.remove(name, recursive=bool(flags & {"r", "R"}))
        except FsError as e:
            if "f" in flags and not sh.fs.exists(name):
                continue
            p.err(f"rm: cannot remove '{name}': {e.strerror}\n")
            status = 1
    return status


def cd(sh: Shell, p: Proc) -> int:
    args = p.argv[1:]
    if len(args) > 1:
        p.err(f"{sh.argv0}: line {sh.line}: cd: too many arguments\n")
        return 1
    target = args[0] if args else sh.vars.get("HOME", "/root")
    if target == "-":
        target = sh.vars.get("OLDPWD", sh.fs.cwd)
    if not sh.fs.exists(target):
        p.err(f"{sh.argv0}: line {sh.line}: cd: {target}: No such file or directory\n")
        return 1
    if not sh.fs.is_dir(target):
        p.err(f"{sh.argv0}: line {sh.line}: cd: {target}: Not a directory\n")
        return 1
    sh.vars["OLDPWD"] = sh.fs.cwd
    sh.fs.cwd = sh.fs.path(target)
    sh.vars["PWD"] = sh.fs.cwd
    return 0


def pwd(sh: Shell, p: Proc) -> int:
    p.out(sh.fs.cwd + "\n")
    return 0


def shift(sh: Shell, p: Proc) -> int:
    args = p.argv[1:]
    if args and not re.fullmatch(r"[0-9]+", args[0]):
        p.err(f"{sh.argv0}: line {sh.line}: shift: {args[0]}: numeric argument required\n")
        return 1
    n = int(args[0]) if args else 1
    if n > len(sh.args):
        return 1
    sh.args = sh.args[n:]
    return 0


_INT_OPS: Final = {
    "-eq": lambda a, b: a == b,
    "-ne": lambda a, b: a != b,
    "-lt": lambda a, b: a < b,
    "-le": lambda a, b: a <= b,
    "-gt": lambda a, b: a > b,
    "-ge": lambda a, b: a >= b,
}


class _TestError(Exception):
    pass


def _test_eval(sh: Shell, args: list[str]) -> bool:
    if args and args[0] == "!" and len(args) in (2, 3, 4):
        return not _test_eval(sh, args[1:])
    if not args:
        return False
    if len(args) == 1:
        return args[0] != ""
    if len(args) == 2:
        op, arg = args
        if op in ("-n", "-z"):
            return (arg != "") == (op == "-n")
        if op in ("-e", "-f", "-d", "-S"):
            return sh.fs.file_test(op, arg)
        raise _TestError(f"{op}: unary operator expected")
    if len(args) == 3:
        a, op, b = args
        if op in ("=", "=="):
            return a == b
        if op == "!=":
            return a != b
        if op in _INT_OPS:
            for x in (a, b):
                if not re.fullmatch(r"\s*-?[0-9]+\s*", x):
                    raise _TestError(f"{x}: integer expression expected")
            return bool(_INT_OPS[op](int(a), int(b)))
        raise _TestError(f"{op}: binary operator expected")
    raise _TestError("too many arguments")


def test(sh: Shell, p: Proc) -> int:
    """``test`` / ``[``: strings, integers, ``-e``/``-f``/``-d`` and ``!``."""
    name, args = p.argv[0], p.argv[1:]
    if name == "[":
        if not args or args[-1] != "]":
            p.err(f"{sh.argv0}: line {sh.line}: [: missing `]'\n")
            return 2
        args = args[:-1]
    try:
        return 0 if _test_eval(sh, args) else 1
    except _TestError as e:
        p.err(f"{sh.argv0}: line {sh.line}: {name}: {e}\n")
        return 2


BUILTINS: Final[dict[str, Builtin]] = {
    "test": test,
    "[": test,
    "echo": echo,
    "true": true,
    ":": true,
    "false": false,
    "set": set_,
    "exit": exit_,
    "break": loop_control,
    "continue": loop_control,
    "export": export,
    "env": env,
    "sleep": sleep,
    "mkdir": mkdir,
    "ls": ls,
    "cat": cat,
    "rm": rm,
    "cd": cd,
    "pwd": pwd,
    "shift": shift,
}


def _more_builtins() -> None:
    from netsim.shell.builtins_ns import NS_BUILTINS
    from netsim.shell.builtins_printf import printf
    from netsim.shell.builtins_shell import SHELL_BUILTINS
    from netsim.shell.builtins_text import TEXT_BUILTINS

    BUILTINS.update(TEXT_BUILTINS)
    BUILTINS.update(SHELL_BUILTINS)
    BUILTINS.update(NS_BUILTINS)
    BUILTINS["printf"] = printf


_more_builtins()

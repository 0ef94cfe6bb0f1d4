"""``sysctl`` (procps-ng 4.0.2) as a ``netsim sh`` command, over a namespace's
:class:`~netsim.kernel.sysctl.model.Sysctls`.

``sysctl KEY...`` / ``-n`` / ``-N``, ``sysctl [-w] KEY=VALUE...`` (procps writes
any argument holding ``=``, with or without ``-w``), ``-q``, ``-e``, ``-a``
(``--deprecated``), and a directory (``sysctl net.ipv4.conf.lo``) for every key
under it.  Messages and exit statuses are procps': each failed argument adds
one to the status (``cannot stat``, ``setting key``, ``invalid syntax``); a write
to a directory prints its error and counts nothing; an unknown option prints
the usage to stdout and exits 0.

Only ``/proc/sys/net`` is modelled: ``kernel.*``, ``vm.*``, ``fs.*``... are
unknown keys (``cannot stat``), and ``-a`` lists only ``net.*``.  ``-p``/``-f``/
``--system`` (files), ``-r``, ``-b`` and ``--dry-run`` fail with ``netsim:
sysctl: ... not supported`` (status 1).
"""

from __future__ import annotations

import errno
from typing import Final

from netsim.kernel.sysctl.model import SysctlError, Sysctls
from netsim.shell.proc import Proc

__all__ = ["sysctl_main"]

USAGE: Final = (
    "\n"
    "Usage:\n"
    " sysctl [options] [variable[=value] ...]\n"
    "\n"
    "Options:\n"
    "  -a, --all            display all variables\n"
    "  -A                   alias of -a\n"
    "  -X                   alias of -a\n"
    "      --deprecated     include deprecated parameters to listing\n"
    "      --dry-run        Print the key and values but do not write\n"
    "  -b, --binary         print value without new line\n"
    "  -e, --ignore         ignore unknown variables errors\n"
    "  -N, --names          print variable names without values\n"
    "  -n, --values         print only values of the given variable(s)\n"
    "  -p, --load[=<file>]  read values from file\n"
    "  -f                   alias of -p\n"
    "      --system         read values from all system directories\n"
    "  -r, --pattern <expression>\n"
    "                       select setting that match expression\n"
    "  -q, --quiet          do not echo variable set\n"
    "  -w, --write          enable writing a value to variable\n"
    "  -o                   does nothing\n"
    "  -x                   does nothing\n"
    "  -d                   alias of -h\n"
    "\n"
    " -h, --help     display this help and exit\n"
    " -V, --version  output version information and exit\n"
    "\n"
    "For more details see sysctl(8).\n"
)

VERSION: Final = "sysctl from procps-ng 4.0.2\n"

_SHORT: Final = {
    "a": "all", "A": "all", "X": "all", "e": "ignore", "N": "names", "n": "values",
    "q": "quiet", "w": "write", "h": "help", "d": "help", "V": "version", "o": "", "x": "",
    "b": "binary", "p": "load", "f": "load", "r": "pattern",
}  # fmt: skip
_LONG: Final = frozenset(
    ("all", "deprecated", "dry-run", "binary", "ignore", "names", "values", "load", "system",
     "pattern", "quiet", "write", "help", "version")
)  # fmt: skip
_UNSUPPORTED: Final = frozenset(("binary", "load", "system", "pattern", "dry-run"))


class _Exit(Exception):
    def __init__(self, status: int, stdout: str = "", stderr: str = "") -> None:
        super().__init__(stderr)
        self.status, self.stdout, self.stderr = status, stdout, stderr


def _parse(argv: list[str]) -> tuple[set[str], list[str]]:
    """glibc ``getopt_long`` with permutation: (option names, operands)."""
    opts: set[str] = set()
    operands: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return opts, operands + argv[i + 1 :]
        if arg.startswith("--"):
            name = arg[2:].split("=", 1)[0]
            hits = [o for o in _LONG if o.startswith(name)] if name else []
            if name in _LONG:
                hits = [name]
            if len(hits) != 1:
                what = "ambiguous" if len(hits) > 1 else "unrecognized"
                raise _Exit(0, USAGE, f"sysctl: {what} option '{arg}'\n")
            opts.add(hits[0])
        elif arg.startswith("-") and arg != "-":
            for c in arg[1:]:
                if c not in _SHORT:
                    raise _Exit(0, USAGE, f"sysctl: invalid option -- '{c}'\n")
                opts.add(_SHORT[c])
        else:
            operands.append(arg)
    return opts, operands


def sysctl_main(proc: Proc) -> int:
    """``sysctl [-aeNnqw] [--deprecated] [KEY[=VALUE]...]``."""
    try:
        return _sysctl(proc)
    except _Exit as e:
        proc.out(e.stdout)
        proc.err(e.stderr)
        return e.status


def _sysctl(proc: Proc) -> int:
    opts, operands = _parse(proc.argv[1:])
    opts.discard("")
    if "help" in opts:
        raise _Exit(0, USAGE)
    if "version" in opts:
        raise _Exit(0, VERSION)
    for name in sorted(opts & _UNSUPPORTED):
        raise _Exit(1, stderr=f"netsim: sysctl: --{name} not supported\n")
    model = proc.world.netns(proc.netns).sysctl
    if "all" in opts:
        _show(proc, opts, model.dump("net", deprecated="deprecated" in opts))
        return 0
    if not operands:
        raise _Exit(1, stderr=USAGE)
    status = 0
    for arg in operands:
        if "write" in opts or "=" in arg:
            status += _write(proc, opts, model, arg)
        else:
            status += _read(proc, opts, model, arg)
    return status


def _show(proc: Proc, opts: set[str], values: dict[str, str]) -> None:
    if "values" in opts:
        proc.out("".join(f"{v}\n" for v in values.values()))
    elif "names" in opts:
        proc.out("".join(f"{k}\n" for k in values))
    else:
        proc.out("".join(f"{k} = {v}\n" for k, v in values.items()))


def _failed(proc: Proc, opts: set[str], e: SysctlError) -> int:
    """What one failed argument adds to the exit status, after printing its error."""
    if e.errno == errno.ENOENT and "ignore" in opts:
        return 0
    if e.message:
        proc.err(e.message + "\n")
    return 1 if e.message else 0


def _read(proc: Proc, opts: set[str], model: Sysctls, key: str) -> int:
    try:
        model.get(key)
    except SysctlError as e:
        if e.errno != errno.EISDIR:
            return _failed(proc, opts, e)
    _show(proc, opts, model.dump(key))
    return 0


def _write(proc: Proc, opts: set[str], model: Sysctls, arg: str) -> int:
    if "=" not in arg:
        proc.err("sysctl: command line(0): invalid syntax, continuing...\n")
        return 1
    key, value = arg.split("=", 1)
    key = key.strip()
    try:
        line = model.write(key, value)
    except SysctlError as e:
        try:
            model.get(key)
        except SysctlError as r:
            if r.errno == errno.EISDIR:  # procps prints the error, counts nothing
                proc.err(e.message + "\n")
                return 0
        return _failed(proc, opts, e)
    if "quiet" not in opts:
        shown, _, written = line.partition(" = ")
        if "values" in opts:
            proc.out(written + "\n")
        elif "names" in opts:
            proc.out(shown + "\n")
        else:
            proc.out(line + "\n")
    return 0

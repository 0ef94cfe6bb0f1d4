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
``--load`` read files as procps 4.0.2 does (all files first, then each setting;
glob keys; ``invalid syntax, continuing...``).  ``--system``, ``-r``, ``-b`` and
``--dry-run`` fail with ``netsim: sysctl: ... not supported`` (status 1).
"""

from __future__ import annotations

import errno
import fnmatch
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
_UNSUPPORTED: Final = frozenset(("binary", "system", "pattern", "dry-run"))
#: What ``-p`` reads when given no file.
DEFAULT_CONF: Final = "/etc/sysctl.conf"


class _Exit(Exception):
    def __init__(self, status: int, stdout: str = "", stderr: str = "") -> None:
        super().__init__(stderr)
        self.status, self.stdout, self.stderr = status, stdout, stderr


def _parse(argv: list[str]) -> tuple[set[str], list[str]]:
    """glibc ``getopt_long`` with permutation: (option names, operands); a file
    given as ``--load=FILE`` or ``-pFILE`` is put first among the operands."""
    opts: set[str] = set()
    operands: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            return opts, operands + argv[i + 1 :]
        if arg.startswith("--"):
            name, eq, attached = arg[2:].partition("=")
            if eq and attached and "load".startswith(name) and name:
                operands.insert(0, attached)
            hits = [o for o in _LONG if o.startswith(name)] if name else []
            if name in _LONG:
                hits = [name]
            if len(hits) != 1:
                what = "ambiguous" if len(hits) > 1 else "unrecognized"
                raise _Exit(0, USAGE, f"sysctl: {what} option '{arg}'\n")
            opts.add(hits[0])
        elif arg.startswith("-") and arg != "-":
            for n, c in enumerate(arg[1:], 1):
                if c not in _SHORT:
                    raise _Exit(0, USAGE, f"sysctl: invalid option -- '{c}'\n")
                opts.add(_SHORT[c])
                if _SHORT[c] == "load" and arg[n + 1 :]:  # -pFILE
                    operands.insert(0, arg[n + 1 :])
                    break
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
    if "load" in opts:
        return _load(proc, opts, model, operands or [DEFAULT_CONF])
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


def _settings(proc: Proc, path: str) -> tuple[list[tuple[str, str]], int]:
    """One ``-p`` file's ``key = value`` lines (procps' ``Preload``): blank lines
    and ``#``/``;`` comments skipped, a leading ``-`` dropped, key and value
    stripped; a line without ``=`` is ``invalid syntax``.  (settings, status)."""
    if proc.fs is None or not proc.fs.exists(path) or proc.fs.is_dir(path):
        proc.err(f'sysctl: cannot open "{path}": No such file or directory\n')
        return [], 1
    out: list[tuple[str, str]] = []
    for n, raw in enumerate(proc.fs.read(path).split("\n"), 1):
        line = raw.lstrip(" \t")
        if not line or line[0] in "#;":
            continue
        key, eq, value = line.removeprefix("-").partition("=")
        if not eq:
            proc.err(f"sysctl: {path}({n}): invalid syntax, continuing...\n")
            continue
        out.append((key.strip(), value.strip(" \t\r")))
    return out, 0


def _load(proc: Proc, opts: set[str], model: Sysctls, files: list[str]) -> int:
    """``sysctl -p [FILE...]``: every file read first, then each setting written
    in order; a key with ``*``/``?``/``[`` is every key ``sysctl -a`` lists that
    it matches (``fnmatch``)."""
    status = 0
    settings: list[tuple[str, str]] = []
    for path in files:
        found, failed = _settings(proc, path)
        settings += found
        status = status or failed
    for key, value in settings:
        keys = [key]
        if any(c in key for c in "*?["):
            keys = [k for k in model.dump("net") if fnmatch.fnmatchcase(k, key.replace("/", "."))]
        for k in keys:
            status = _write(proc, opts, model, f"{k}={value}") or status
    return status

"""``bash -c SCRIPT [NAME [ARG...]]`` as a ``netsim sh`` command: a new shell
(netsim's) on the same world and filesystem, in the namespace the command runs
in (so ``ip netns exec NS bash -c '... > /dev/udp/H/P'`` sends from ``NS``),
with the exported variables as its environment and ``NAME`` (default
``bash``) as ``$0``, which prefixes its messages as bash's do.  Other ways of
running bash (a script file, stdin, options) are not modelled."""

from __future__ import annotations

from netsim.shell.proc import Proc

__all__ = ["bash_main"]


def bash_main(proc: Proc) -> int:
    """``bash -c SCRIPT [NAME [ARG...]]``."""
    from netsim.shell.interp import Shell

    args = proc.argv[1:]
    if not args or args[0] != "-c":
        proc.err("netsim: bash: only `bash -c SCRIPT [NAME [ARG...]]' is modelled yet\n")
        return 2
    if len(args) < 2:
        proc.err("bash: -c: option requires an argument\n")
        return 2
    sub = Shell(proc.world, netns=proc.netns)
    if proc.fs is not None:
        sub.fs = proc.fs
    sub.vars, sub.exported = dict(proc.env), set(proc.env)
    name = args[2] if len(args) > 2 else "bash"
    result = sub.run(args[1], args[3:], name=name, stdin=proc.stdin,
                     streams=(proc.stdout, proc.stderr))  # fmt: skip
    return result.status

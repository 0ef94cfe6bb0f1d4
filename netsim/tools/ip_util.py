"""What the parts of ``ip`` and ``bridge`` share: options, iproute2's keyword
matching, its exits, and its JSON writer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from netsim.errors import KernelError, NetsimError, NoSuchDevice, NoSuchNetns

if TYPE_CHECKING:
    from netsim.kernel import Netns
    from netsim.shell.proc import Proc

__all__ = [
    "RT_TABLES",
    "Args",
    "IpExit",
    "Opts",
    "emit_json",
    "int_arg",
    "invarg",
    "jsonw",
    "matches",
    "rt_table",
    "run_iproute",
]


class IpExit(Exception):
    """``ip`` stops: ``message`` (may be "") goes to stderr, ``status`` is the exit status."""

    def __init__(self, message: str, status: int = 1):
        super().__init__(message)
        self.message = message
        self.status = status


def matches(word: str, pattern: str) -> bool:
    """iproute2's ``matches()``: ``word`` is a non-empty prefix of ``pattern``."""
    return 0 < len(word) <= len(pattern) and pattern.startswith(word)


def invarg(msg: str, arg: str) -> IpExit:
    return IpExit(f'Error: argument "{arg}" is wrong: {msg}\n', 255)


#: ``rtnl_rttable_a2n()``'s names (``/etc/iproute2/rt_tables``).
RT_TABLES: Final = {"main": 254, "local": 255, "default": 253}


def rt_table(value: str) -> int:
    """A table name or number, as ``rtnl_rttable_a2n()`` reads it."""
    if value in RT_TABLES:
        return RT_TABLES[value]
    try:
        return int(value, 0)
    except ValueError:
        raise IpExit(f'Error: argument "{value}" is wrong: invalid table ID\n\n', 255) from None


def int_arg(value: str, what: str) -> int:
    """A number in base 0 (``0x`` hex, ``0`` octal), else iproute2's "value is invalid"."""
    try:
        return int(value, 0)
    except ValueError:
        msg = f'Error: argument "{value}" is wrong: "{what}" value is invalid\n\n'
        raise IpExit(msg, 255) from None


@dataclass
class Opts:
    """The global options of ``ip``."""

    netns: str
    json: bool = False
    pretty: bool = False
    brief: bool = False
    details: bool = False
    stats: bool = False
    family: int = 0  # 0: any, 4: inet (-4), 6: inet6 (-6), 17: link (-0)


@dataclass
class Args:
    """An argv cursor, as iproute2's ``argc``/``argv`` with ``NEXT_ARG()``."""

    words: list[str]
    pos: int = 0
    opts: Opts = field(default_factory=lambda: Opts("init_net"))

    def __bool__(self) -> bool:
        return self.pos < len(self.words)

    def __iter__(self) -> Iterator[str]:
        while self:
            yield self.take()

    def peek(self) -> str:
        return self.words[self.pos]

    def take(self) -> str:
        word = self.words[self.pos]
        self.pos += 1
        return word

    def next_arg(self) -> str:
        """``NEXT_ARG()``: the value after a keyword."""
        if not self:
            raise IpExit('Command line is not complete. Try option "help"\n', 255)
        return self.take()


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def jsonw(value: Any, pretty: bool) -> str:
    """``value`` as iproute2's ``json_writer`` prints it (compact, or ``-p``).

    Numbers with a fixed format (bridge timers, ``%.2f``) carry a ``json()``
    method that gives their text."""
    out: list[str] = []
    comma, colon = (",", ": ") if pretty else (",", ":")

    def write(v: Any, depth: int) -> None:
        if isinstance(v, dict):
            out.append("{")
            for i, (k, item) in enumerate(v.items()):
                if i:
                    out.append(comma)
                if pretty:
                    out.append("\n" + "    " * (depth + 1))
                out.append(_dumps(str(k)) + colon)
                write(item, depth + 1)
            if v and pretty:
                out.append("\n" + "    " * depth)
            out.append("}")
        elif isinstance(v, list):
            out.append("[ " if pretty else "[")
            for i, item in enumerate(v):
                if i:
                    out.append(comma)
                write(item, depth + 1)
            out.append((" ]" if v else "]") if pretty else "]")
        elif hasattr(v, "json"):
            out.append(v.json())
        else:
            out.append(_dumps(v))

    write(value, 0)
    return "".join(out)


def emit_json(proc: Proc, opts: Opts, records: list[Any]) -> None:
    proc.out(jsonw(records, opts.pretty) + "\n")


def netns_names(ns: Netns) -> dict[int, str]:
    """Peer netns id -> name, as ``ip`` finds them under /run/netns."""
    return {nsid: o.name for o, nsid in ns.netns_ids.items() if o.name != "init_net"}


def run_iproute(proc: Proc, body: Callable[[Proc], None], *, kernel_status: int,
                nodev_status: int) -> int:  # fmt: skip
    """Run an iproute2 command body, turning what it raises into the line the real
    tool prints and its exit status (``ip`` exits 2 on a kernel refusal and 1 on
    ``Cannot find device``, ``bridge`` 255 on both); never a traceback."""
    name = proc.argv[0]
    try:
        body(proc)
    except IpExit as e:
        proc.err(e.message)
        return e.status
    except NoSuchNetns as e:
        proc.err(e.message + "\n")
        return 255
    except NoSuchDevice as e:
        proc.err(e.message + "\n")
        return nodev_status
    except KernelError as e:
        proc.err(e.message + "\n")
        return kernel_status
    except NetsimError as e:
        proc.err(f"{e}\n")
        return 1
    except Exception as e:  # never a traceback: say what broke
        proc.err(f"netsim: {name}: internal error: {type(e).__name__}: {e}\n")
        return 1
    return 0

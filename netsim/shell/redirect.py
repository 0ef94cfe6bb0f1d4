"""Redirections of a command: ``<``, ``>``, ``>>``, ``2>``, ``2>&1``, ``&>``,
here-documents, applied left to right as bash does."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from typing import TYPE_CHECKING

from netsim.shell.fs import DEV_NULL, FsError
from netsim.shell.netredir import UdpSink, is_net_path, open_udp
from netsim.shell.nodes import Redir
from netsim.shell.runtime import RedirError, Streams
from netsim.shell.syntax import Word

if TYPE_CHECKING:
    from netsim.shell.interp import Shell

__all__ = ["apply_redirs"]


def apply_redirs(sh: Shell, redirs: list[Redir], s: Streams) -> tuple[Streams, Callable[[], None]]:
    """The streams after ``redirs`` (applied left to right), and a function
    that writes what went to files into the filesystem (and sends what went to
    ``/dev/udp/HOST/PORT``, :mod:`netsim.shell.netredir`)."""
    cur = Streams(s.input, s.out, s.err)
    pending: list[tuple[str, io.StringIO]] = []
    sinks: list[UdpSink] = []
    for r in redirs:
        if r.op == "<<":
            cur.stdin = sh.string(r.target)
            continue
        if r.op == "<<<":
            cur.stdin = sh.string(r.target) + "\n"
            continue
        target = _target(sh, r.target)
        fd = r.fd if r.fd >= 0 else (0 if r.op == "<" else 1)
        if r.op == "<" and fd == 0:
            try:
                cur.stdin = sh.fs.read(target)
            except FsError as e:
                raise RedirError(f"{target}: {e.strerror}") from None
        elif r.op == ">&" and target in ("1", "2") and fd in (1, 2):
            sink = cur.out if target == "1" else cur.err
            cur.out, cur.err = (sink, cur.err) if fd == 1 else (cur.out, sink)
        elif r.op in (">", ">>", "&>", "&>>") and fd in (1, 2):
            if is_net_path(target):
                udp = open_udp(sh, target, cur.err)
                sinks.append(udp)
                sink = udp.buf
            else:
                sink = _open(sh, target, append=r.op.endswith(">>"), pending=pending)
            if r.op.startswith("&"):
                cur.out = cur.err = sink
            elif fd == 1:
                cur.out = sink
            else:
                cur.err = sink
        else:
            fdtext = "" if r.fd < 0 else str(r.fd)
            raise RedirError(f"unsupported redirection '{fdtext}{r.op}{target}'")

    def flush() -> None:
        for path, buf in pending:
            with contextlib.suppress(FsError):  # checked when opened
                sh.fs.write(path, buf.getvalue(), append=True)
            if isinstance(buf, FileSink):
                buf.live = True
        for udp in sinks:
            udp.flush()

    return cur, flush


class FileSink(io.StringIO):
    """A file a command writes to: buffered while the command runs, written
    through once it has returned (a background daemon writes on later)."""

    def __init__(self, sh: Shell, path: str):
        super().__init__()
        self.sh = sh
        self.path = path
        self.live = False

    def write(self, text: str) -> int:
        if not self.live:
            return super().write(text)
        with contextlib.suppress(FsError):
            self.sh.fs.write(self.path, text, append=True)
        return len(text)


def _target(sh: Shell, word: Word) -> str:
    fields = sh.fields(word)
    if len(fields) != 1:
        text = "".join(p.text if p.kind == "lit" else "$" + p.text for p in word.parts)
        raise RedirError(f"{text}: ambiguous redirect")
    return fields[0]


def _open(
    sh: Shell, path: str, *, append: bool, pending: list[tuple[str, io.StringIO]]
) -> io.StringIO:
    if sh.fs.path(path) == DEV_NULL:
        return io.StringIO()
    buf = FileSink(sh, path)
    try:
        sh.fs.write(path, "", append=append)
    except FsError as e:
        raise RedirError(f"{path}: {e.strerror}") from None
    pending.append((path, buf))
    return buf

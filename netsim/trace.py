"""Where each frame went: traces in Batfish's words (trace → hop → step).

Recording is cheap on purpose: a frame in flight carries its journey as a
linked chain of tuples, one tuple a step, shared between the copies a bridge
floods.  When a copy reaches its end (delivered or dropped) the recorder keeps
the chain's tail; :meth:`TraceRecorder.traces` turns the tails into
:class:`Trace` objects only when someone asks.  Nothing is dropped silently:
every copy of every frame ends in exactly one :class:`Disposition`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, final

__all__ = [
    "Action",
    "Disposition",
    "Hop",
    "Path",
    "Step",
    "Trace",
    "TraceRecorder",
]


class Action(StrEnum):
    """What happened to the frame at one step."""

    SENT = "SENT"  # handed to a device by a local sender (a packet socket)
    TRANSMITTED = "TRANSMITTED"  # left a device towards its peer / the wire
    RECEIVED = "RECEIVED"  # arrived on a device
    FORWARDED = "FORWARDED"  # a bridge sent it out of one port (FDB hit)
    FLOODED = "FLOODED"  # a bridge sent copies out of several ports
    DELIVERED = "DELIVERED"  # handed to the namespace's stack on a device
    DROPPED = "DROPPED"


class Disposition(StrEnum):
    """How one copy of a frame ended."""

    DELIVERED = "DELIVERED"
    DROPPED = "DROPPED"


#: A journey so far: ``(previous, time, netns, device, action, detail)``; the
#: first element of the first step is ``None``.
Path = tuple[Any, float, str, str, Action, Any]


@final
@dataclass(frozen=True, slots=True)
class Step:
    """One thing that happened to a frame on one device."""

    time: float
    device: str
    action: Action
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.action} {self.device}"
        if not self.detail:
            return text
        if self.action in (Action.FORWARDED, Action.FLOODED):
            return f"{text} -> {self.detail}"
        return f"{text} ({self.detail})"


@final
@dataclass(frozen=True, slots=True)
class Hop:
    """The steps a frame took inside one namespace (one node)."""

    node: str
    steps: tuple[Step, ...]

    def __str__(self) -> str:
        return f"{self.node}: " + "; ".join(str(s) for s in self.steps)


@final
@dataclass(frozen=True, slots=True)
class Trace:
    """One copy of a frame, from its sender to where it ended."""

    flow: int
    frame: Any
    hops: tuple[Hop, ...]
    disposition: Disposition
    reason: str = ""

    @property
    def steps(self) -> tuple[Step, ...]:
        return tuple(s for h in self.hops for s in h.steps)

    @property
    def end(self) -> tuple[str, str]:
        """``(namespace, device)`` where this copy ended."""
        last = self.hops[-1]
        return last.node, last.steps[-1].device

    @property
    def summary(self) -> str:
        """The frame as ``tcpdump -nn -e`` would print it."""
        from netsim.packet.tcpdump import summary

        return summary(self.frame)

    def __str__(self) -> str:
        head = f"flow {self.flow}: {self.summary}\n  -> {self.disposition}"
        if self.reason:
            head += f" ({self.reason})"
        return "\n".join([head, *(f"  {h}" for h in self.hops)])

    def _repr_html_(self) -> str:
        from html import escape

        rows = "".join(
            f"<tr><td>{escape(h.node)}</td><td>{escape(str(s))}</td><td>{s.time:.6f}</td></tr>"
            for h in self.hops
            for s in h.steps
        )
        return (
            f"<p><b>flow {self.flow}</b> {escape(self.summary)} &rarr; "
            f"<b>{self.disposition}</b> {escape(self.reason)}</p>"
            f"<table><tr><th>node</th><th>step</th><th>time (s)</th></tr>{rows}</table>"
        )


def _detail_text(detail: Any) -> str:
    if detail is None:
        return ""
    if isinstance(detail, tuple):
        return ",".join(str(d) for d in detail)
    return str(detail)


def _steps_of(path: Path | None) -> list[tuple[float, str, str, Action, Any]]:
    out: list[tuple[float, str, str, Action, Any]] = []
    while path is not None:
        prev, t, ns, dev, action, detail = path
        out.append((t, ns, dev, action, detail))
        path = prev
    out.reverse()
    return out


@final
class TraceRecorder:
    """Numbers flows and keeps the end of every copy's journey."""

    def __init__(self, *, enabled: bool = True):
        self.enabled: Final = enabled
        self._next_flow = 1
        self._frames: dict[int, Any] = {}
        self._ends: list[tuple[int, Path, Disposition, str]] = []

    def new_flow(self, frame: Any) -> int:
        """Number a frame that a local sender emits."""
        flow = self._next_flow
        self._next_flow += 1
        if self.enabled:
            self._frames[flow] = frame
        return flow

    def end(self, flow: int, path: Path, disposition: Disposition, reason: str) -> None:
        """Keep a copy's final step."""
        self._ends.append((flow, path, disposition, reason))

    def clear(self) -> None:
        """Forget every finished trace (flow numbers keep counting)."""
        self._frames.clear()
        self._ends.clear()

    def __len__(self) -> int:
        return len(self._ends)

    def traces(self, flow: int | None = None) -> list[Trace]:
        """Finished traces, in the order their copies ended; one flow's if given."""
        return [self._build(e) for e in self._ends if flow is None or e[0] == flow]

    def __iter__(self) -> Iterator[Trace]:
        return iter(self.traces())

    @property
    def last_flow(self) -> int:
        """The number of the most recent flow (0 before any)."""
        return self._next_flow - 1

    def _build(self, end: tuple[int, Path, Disposition, str]) -> Trace:
        flow, path, disposition, reason = end
        hops: list[Hop] = []
        node: str | None = None
        steps: list[Step] = []
        for t, ns, dev, action, detail in _steps_of(path):
            if ns != node:
                if node is not None:
                    hops.append(Hop(node, tuple(steps)))
                node, steps = ns, []
            steps.append(Step(t, dev, action, _detail_text(detail)))
        if node is not None:
            hops.append(Hop(node, tuple(steps)))
        return Trace(flow, self._frames.get(flow), tuple(hops), disposition, reason)

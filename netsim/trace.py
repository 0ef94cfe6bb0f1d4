"""Where each frame went: traces in Batfish's words (trace → hop → step).

Recording is cheap on purpose: the recorder keeps one flat list of steps,
each a tuple of plain values ``(previous step's index, time, netns, device,
action, detail)``; a frame in flight only carries the index of its latest
step, and the copies a bridge floods share the steps before the flood.  Such
tuples hold no references to other containers, so Python's cyclic garbage
collector soon stops looking at them.  When a copy reaches its end (delivered
or dropped) the recorder notes its last step; :meth:`TraceRecorder.traces`
turns those into :class:`Trace` objects only when someone asks.  Nothing is
dropped silently: every copy of every frame ends in exactly one
:class:`Disposition`.
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
    "Step",
    "StepRecord",
    "Trace",
    "TraceRecorder",
]


class Action(StrEnum):
    """What happened to the frame at one step."""

    SENT = "SENT"  # handed to a device by a local sender (a packet socket)
    RECEIVED = "RECEIVED"  # arrived on a device
    FORWARDED = "FORWARDED"  # a bridge sent it out of one port (FDB hit)
    FLOODED = "FLOODED"  # a bridge sent copies out of several ports
    DELIVERED = "DELIVERED"  # handed to the namespace's stack on a device
    DROPPED = "DROPPED"
    ENCAPSULATED = "ENCAPSULATED"  # a tunnel device wrapped it (VXLAN: VNI, outer UDP/IPv4)
    DECAPSULATED = "DECAPSULATED"  # a tunnel device unwrapped it
    QUEUED = "QUEUED"  # a qdisc held it back (tbf waiting for tokens)
    REDIRECTED = "REDIRECTED"  # a tc action moved it to another device (mirred)


# Plain-string forms of the actions, for step records on the hot path (enum
# members are objects the garbage collector tracks; plain strings are not).
SENT: Final[str] = Action.SENT.value
RECEIVED: Final[str] = Action.RECEIVED.value
FORWARDED: Final[str] = Action.FORWARDED.value
FLOODED: Final[str] = Action.FLOODED.value
DELIVERED: Final[str] = Action.DELIVERED.value
DROPPED: Final[str] = Action.DROPPED.value
ENCAPSULATED: Final[str] = Action.ENCAPSULATED.value
DECAPSULATED: Final[str] = Action.DECAPSULATED.value
QUEUED: Final[str] = Action.QUEUED.value
REDIRECTED: Final[str] = Action.REDIRECTED.value
#: One record for "RECEIVED on a bridge port, FORWARDED out of another" (the
#: bridge's fast path): ``(prev, time, netns, in port, BRIDGED, out port,
#: bridge)``.  Expanded into the two steps when a trace is built.
BRIDGED: Final[str] = "BRIDGED"


class Disposition(StrEnum):
    """How one copy of a frame ended."""

    DELIVERED = "DELIVERED"
    DROPPED = "DROPPED"


#: One recorded step: ``(previous step index or None, time, netns, device,
#: action value, detail)``.
StepRecord = tuple[Any, ...]


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


def _steps_of(steps: list[StepRecord], last: int | None) -> list[StepRecord]:
    out: list[StepRecord] = []
    while last is not None:
        step = steps[last]
        out.append(step)
        last = step[0]
    out.reverse()
    return out


@final
class TraceRecorder:
    """Numbers flows, holds every step, and keeps the end of every copy's journey."""

    def __init__(self, *, enabled: bool = True):
        self.enabled: Final = enabled
        self._next_flow = 1
        self._frames: dict[int, Any] = {}
        #: The step list frames in flight append to (``None`` when disabled).
        self.steps: list[StepRecord] | None = [] if enabled else None
        #: Every step list ever used (``clear`` starts a new one); ends name theirs by
        #: number, so that an end record holds plain values only.
        self._lists: list[list[StepRecord]] = [self.steps] if self.steps is not None else []
        self._gen = 0
        self._ends: list[tuple[int, int, int, str, str]] = []

    def new_flow(self, frame: Any) -> int:
        """Number a frame that a local sender emits."""
        flow = self._next_flow
        self._next_flow += 1
        if self.enabled:
            self._frames[flow] = frame
        return flow

    def end(
        self, flow: int, steps: list[StepRecord], last: int, disposition: str, reason: str
    ) -> None:
        """Keep a copy's final step."""
        if steps is self.steps:
            gen = self._gen
        else:  # a frame that was in flight when clear() started a new list
            gen = next((i for i, lst in enumerate(self._lists) if lst is steps), -1)
            if gen < 0:
                self._lists.append(steps)
                gen = len(self._lists) - 1
        self._ends.append((flow, gen, last, disposition, reason))

    def clear(self) -> None:
        """Forget every finished trace (flow numbers keep counting; frames in
        flight finish on the steps they started with)."""
        self._frames.clear()
        self._ends.clear()
        if self.enabled:
            self.steps = []
            self._lists = [self.steps]
            self._gen = 0

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

    def _build(self, end: tuple[int, int, int, str, str]) -> Trace:
        flow, gen, last, disposition, reason = end
        steps = self._lists[gen]
        hops: list[Hop] = []
        node: str | None = None
        current: list[Step] = []
        for _, t, ns, dev, action, detail, *bridge in _steps_of(steps, last):
            if ns != node:
                if node is not None:
                    hops.append(Hop(node, tuple(current)))
                node, current = ns, []
            if action == BRIDGED:
                current.append(Step(t, dev, Action.RECEIVED))
                current.append(Step(t, bridge[0], Action.FORWARDED, detail))
            else:
                current.append(Step(t, dev, Action(action), _detail_text(detail)))
        if node is not None:
            hops.append(Hop(node, tuple(current)))
        return Trace(flow, self._frames.get(flow), tuple(hops), Disposition(disposition), reason)

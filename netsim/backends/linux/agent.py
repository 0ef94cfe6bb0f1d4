"""The agent: the first process inside a :class:`~netsim.backends.linux.sandbox.Sandbox`.

Started as ``unshare ... python -m netsim.backends.linux.agent``, it mounts the
sandbox's own ``/run/netns`` and ``/sys`` (:data:`~netsim.backends.linux.sandbox.PRELUDE`),
says ``{"ready": true}``, then answers newline-delimited JSON requests on
stdin with one JSON line each on stdout:

* ``{"id": N, "cmd": "script", "text": T, "name": "netsim", "args": []}``: bash
  runs ``T`` -> ``{"id": N, "stdout": ..., "stderr": ..., "returncode": ...}``;
* ``{"id": N, "cmd": "run", "argv": [...], "netns": NAME|null, "stdin": ""}``:
  the same for one command, in a namespace by ``ip netns exec``;
* ``{"id": N, "cmd": "apply", "op": to_dict(op)}`` -> ``{"id": N, "result": R}``
  or ``{"id": N, "error": {"errno": E, "extack": X, "message": M, "kind": K}}``;
* ``{"id": N, "cmd": "capture_start", "namespaces": [...]}`` -> ``{"id": N}``, then
  ``{"id": N, "cmd": "capture_stop"}`` -> ``{"id": N, "frames": [...]}``: every
  frame of every device in those namespaces in between
  (:class:`~netsim.backends.linux.packetcap.Capture`).

A request the agent cannot handle gets ``{"id": N, "fault": TRACEBACK}``.  When
stdin closes the agent exits, and with it (PID 1 of the sandbox) everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import traceback
from typing import IO, Any

from netsim.backends.linux.apply import Applier, KindUnavailable
from netsim.backends.linux.packetcap import Capture
from netsim.backends.linux.sandbox import PRELUDE
from netsim.errors import KernelError
from netsim.host.ops import from_dict

__all__ = ["handle", "main"]


def _completed(r: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    return {"stdout": r.stdout, "stderr": r.stderr, "returncode": r.returncode}


def handle(
    request: dict[str, Any], applier: Applier, capture: Capture | None = None
) -> dict[str, Any]:
    """The answer to one request (without its id)."""
    cmd = request.get("cmd")
    if cmd in ("capture_start", "capture_stop"):
        if capture is None:
            raise ValueError("this agent does not capture")
        if cmd == "capture_start":
            capture.start(list(request["namespaces"]))
            return {}
        return {"frames": capture.stop()}
    timeout = float(request.get("timeout", 600))
    if cmd == "script":
        argv = ["bash", "-c", request["text"], request.get("name", "netsim"),
                *request.get("args", [])]  # fmt: skip
        return _completed(subprocess.run(argv, capture_output=True, text=True, check=False,
                                         stdin=subprocess.DEVNULL, timeout=timeout))  # fmt: skip
    if cmd == "run":
        argv = list(request["argv"])
        if request.get("netns"):
            argv = ["ip", "netns", "exec", request["netns"], *argv]
        return _completed(subprocess.run(argv, input=request.get("stdin", ""), text=True,
                                         capture_output=True, check=False,
                                         timeout=timeout))  # fmt: skip
    if cmd == "apply":
        op = from_dict(request["op"])
        try:
            return {"result": applier.apply(op)}
        except KernelError as e:
            kind = e.kind if isinstance(e, KindUnavailable) else None
            return {"error": {"errno": e.errno, "extack": e.extack, "message": e.message,
                              "kind": kind}}  # fmt: skip
    raise ValueError(f"unknown request {cmd!r}")


def serve(requests: IO[str], answers: IO[str]) -> None:
    """Answer each line of ``requests`` on ``answers`` until end of input."""
    applier = Applier()
    capture = Capture()
    try:
        for line in requests:
            if not line.strip():
                continue
            request: dict[str, Any] = {}
            try:
                request = json.loads(line)
                answer = handle(request, applier, capture)
            except Exception:
                answer = {"fault": traceback.format_exc()}
            answers.write(json.dumps({"id": request.get("id"), **answer}) + "\n")
            answers.flush()
    finally:
        capture.close()
        applier.close()


def main() -> int:
    """Mount the sandbox's own ``/run/netns`` and ``/sys``, then serve stdin."""
    out = sys.stdout
    r = subprocess.run(["sh", "-c", PRELUDE], capture_output=True, text=True, check=False)
    if r.returncode != 0:
        out.write(json.dumps({"fault": f"mounts failed: {r.stderr.strip()}"}) + "\n")
        out.flush()
        return 1
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    serve(sys.stdin, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

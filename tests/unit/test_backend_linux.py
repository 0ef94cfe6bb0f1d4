"""The linux backend's pieces that need no sandbox: importing it needs no
pyroute2, and the agent's wire protocol."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from netsim.backends.linux.agent import serve
from netsim.backends.linux.dumps import errno_of
from netsim.backends.linux.sandbox import PRELUDE, script_argv


def test_importing_the_backend_needs_no_pyroute2() -> None:
    code = (
        "import sys; sys.modules['pyroute2'] = None\n"
        "import netsim, netsim.backends.linux.host, netsim.backends.linux.agent\n"
        "assert 'pyroute2' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_agent_answers_one_line_per_request() -> None:
    requests = "\n".join(
        json.dumps(r)
        for r in (
            {"id": 1, "cmd": "run", "argv": ["cat"], "netns": None, "stdin": "hi"},
            {"id": 2, "cmd": "reboot"},
            {"id": 3, "cmd": "script", "text": 'echo "$0 $1"; exit 4', "args": ["x"]},
            {"id": 4, "cmd": "apply", "op": {"op": "Nope"}},
        )
    )
    out = io.StringIO()
    serve(io.StringIO(requests + "\n"), out)
    answers = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [a["id"] for a in answers] == [1, 2, 3, 4]
    assert answers[0] == {"id": 1, "stdout": "hi", "stderr": "", "returncode": 0}
    assert "unknown request 'reboot'" in answers[1]["fault"]
    assert answers[2] == {"id": 3, "stdout": "netsim x\n", "stderr": "", "returncode": 4}
    assert "unknown host operation" in answers[3]["fault"]


def test_tool_messages_map_to_errnos() -> None:
    assert errno_of('Cannot create namespace file "/run/netns/a": File exists') == 17
    assert errno_of("sysctl: cannot stat /proc/sys/net/x: No such file or directory") == 2
    assert errno_of("something odd") == 22


def test_a_script_runs_after_the_prelude_with_its_own_name_and_args() -> None:
    argv = script_argv("echo $1", name="s.sh", args=("a",))
    assert argv[-4:] == ["sh", "echo $1", "s.sh", "a"]
    assert PRELUDE.strip() in argv[-5]

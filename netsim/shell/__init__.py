"""``netsim sh``: run shell scripts of network commands against a simulated
:class:`~netsim.World`, with bash semantics for a subset of the language.

>>> from netsim import World
>>> World(seed=1).sh("X=hello; echo $X world").stdout
'hello world\\n'
"""

from __future__ import annotations

from netsim.shell.interp import Shell, ShellResult, run_script

__all__ = ["Shell", "ShellResult", "run_script"]

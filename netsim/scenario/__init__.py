"""Scenarios: a cluster, its pods and steps with expectations, in YAML (version 1).

::

    schema.json  the format, as a JSON Schema (shipped in the package)
    load.py      YAML with every field's line; schema validation; problems by line
    model.py     the scenario as values, defaults filled in
    check.py     what the schema cannot say (names known at each step, configs)
    session.py   the cluster on a seeded World (the simulator's Host)
    kernel.py    the cluster on the real kernel (KernelHost, the real plugins)
    shells.py    netsim sh on a node, or in a pod's network namespace
    runner.py    builds the cluster and runs the steps
    expect.py    the expectations, checked against what the steps observed
    report.py    the structured report of a run
    journey.py   one ping's hop-by-hop journey from the model's traces
    nstables.py  a namespace's tables, read through netsim sh (for journeys)
    show.py      a node's or pod's tables, as iproute2 prints them
    render.py    reports as text (a rich table on a terminal)

The commands ``netsim run``, ``netsim trace`` and ``netsim show`` are in
:mod:`netsim.scenariocli`.
"""

from __future__ import annotations

import os
from pathlib import Path as _FilePath

from netsim.scenario.check import check_actions, check_scenario
from netsim.scenario.load import Problem, ScenarioError, parse_yaml, validate
from netsim.scenario.model import Scenario, build

__all__ = ["Problem", "Scenario", "ScenarioError", "load", "loads"]


def loads(text: str, file: str = "scenario.yaml") -> Scenario:
    """The scenario in ``text`` (named ``file`` in messages), or :class:`ScenarioError`."""
    doc = parse_yaml(text, file)
    validate(doc)
    problems = check_actions(doc)
    if problems:
        raise ScenarioError(problems)
    scenario = build(doc)
    problems = check_scenario(scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario


def load(path: str | os.PathLike[str]) -> Scenario:
    """The scenario file ``path``; an unreadable file is a :class:`ScenarioError` too."""
    path = os.fspath(path)
    try:
        text = _FilePath(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError([Problem(path, 0, "(file)", e.strerror or str(e))]) from None
    except UnicodeDecodeError as e:
        raise ScenarioError([Problem(path, 0, "(file)", f"not UTF-8 text: {e.reason}")]) from None
    return loads(text, path)

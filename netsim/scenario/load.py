"""Reading a scenario file: YAML composed into PyYAML's node tree, turned into
plain values with the line of every field kept, and validated against the
shipped JSON Schema (``schema.json``) with ``jsonschema``.

Every problem names the file, the line and the field, as
``scenario.yaml:12: pods[1].node: "node9" is not a node of the cluster``;
field paths count list items from 0.  Bad input never raises anything but
:class:`ScenarioError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

__all__ = ["Document", "Path", "Problem", "ScenarioError", "field_name", "parse_yaml", "validate"]

#: Where a value sits in the document: mapping keys and list indices.
Path = tuple[str | int, ...]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input: where, which field, what."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if not self.line:  # the file itself (unreadable)
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ScenarioError(Exception):
    """The scenario cannot be run: its problems, by line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


def field_name(path: Path) -> str:
    """``pods[1].node``; the document itself is ``(top level)``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


@dataclass
class Document:
    """A YAML document as plain values, and the line each field starts on."""

    file: str
    value: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line(self, path: Path) -> int:
        """The line of ``path``, or of the nearest enclosing field known."""
        for n in range(len(path), -1, -1):
            line = self.lines.get(path[:n])
            if line is not None:
                return line
        return 1

    def problem(self, path: Path, message: str) -> Problem:
        return Problem(self.file, self.line(path), field_name(path), message)


def parse_yaml(text: str, file: str) -> Document:
    """The one YAML document in ``text``; a syntax error, an empty file, a
    duplicate or non-string key is a :class:`ScenarioError`."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = e.problem or e.context or "invalid YAML"
        raise ScenarioError([Problem(file, line, "(top level)", f"invalid YAML: {what}")]) from None
    except yaml.YAMLError as e:
        raise ScenarioError([Problem(file, 1, "(top level)", f"invalid YAML: {e}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise ScenarioError([Problem(file, 1, "(top level)", "the file holds no scenario")])
    doc = Document(file, None, {(): node.start_mark.line + 1})
    problems: list[Problem] = []
    doc.value = _value(loader, node, (), doc, problems, set())
    if problems:
        raise ScenarioError(problems)
    return doc


def _value(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path,
    doc: Document,
    problems: list[Problem],
    active: set[int],
) -> Any:
    """The plain value of ``node``, noting the line of every field below it."""
    if id(node) in active:
        problems.append(doc.problem(path, "a YAML alias refers to itself"))
        return None
    if isinstance(node, yaml.MappingNode):
        active.add(id(node))
        loader.flatten_mapping(node)  # ``<<`` merge keys
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = (
                loader.construct_object(key_node)
                if isinstance(key_node, yaml.ScalarNode)
                else key_node
            )
            if not isinstance(key, str):
                line = key_node.start_mark.line + 1
                shown = json.dumps(key) if isinstance(key, bool | int | float | None) else "?"
                problems.append(
                    Problem(
                        doc.file,
                        line,
                        field_name(path),
                        f"field name {shown} is not a string (quote it)",
                    )
                )
                continue
            sub = (*path, key)
            if key in out:
                problems.append(
                    Problem(
                        doc.file, key_node.start_mark.line + 1, field_name(sub), "duplicate field"
                    )
                )
                continue
            doc.lines[sub] = key_node.start_mark.line + 1
            out[key] = _value(loader, value_node, sub, doc, problems, active)
        active.discard(id(node))
        return out
    if isinstance(node, yaml.SequenceNode):
        active.add(id(node))
        items = []
        for i, item in enumerate(node.value):
            doc.lines[(*path, i)] = item.start_mark.line + 1
            items.append(_value(loader, item, (*path, i), doc, problems, active))
        active.discard(id(node))
        return items
    return loader.construct_object(node)


# --- the schema --------------------------------------------------------------------------


@cache
def schema() -> dict[str, Any]:
    """``netsim/scenario/schema.json``, as shipped in the package."""
    text = resources.files("netsim.scenario").joinpath("schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema())


def validate(doc: Document) -> None:
    """Check ``doc`` against the schema; every violation as a :class:`Problem`."""
    problems: list[Problem] = []
    for error in _validator().iter_errors(doc.value):
        problems.extend(_problems(doc, error))
    if problems:
        raise ScenarioError(problems)


def describe(value: Any) -> str:
    """A value as a message names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, int | float):
        return f"{value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def _branch_errors(error: jsonschema.ValidationError) -> list[jsonschema.ValidationError] | None:
    """For ``anyOf``: the errors of the one branch the value's type fits, if one."""
    by_branch: dict[int, list[jsonschema.ValidationError]] = {}
    for sub in error.context or []:
        by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    fitting = [
        errs
        for errs in by_branch.values()
        if not any(e.validator in ("type", "const") and not e.relative_path for e in errs)
    ]
    branches: Any = error.validator_value
    if len(fitting) == 1 and len(by_branch) == len(branches):
        return fitting[0]
    return None


def _problems(doc: Document, error: jsonschema.ValidationError) -> list[Problem]:
    path: Path = tuple(error.absolute_path)
    inst: Any = error.instance
    kind: Any = error.validator
    arg: Any = error.validator_value
    schema_here: Any = error.schema
    custom = schema_here.get("x-message") if isinstance(schema_here, dict) else None
    if kind in ("anyOf", "oneOf"):
        inner = _branch_errors(error)
        if inner is not None:
            return [p for e in inner for p in _problems(doc, e)]
        return [doc.problem(path, f"{custom or 'invalid value'}, got {describe(inst)}")]
    if kind == "required":
        missing = [name for name in arg if name not in inst]
        return [doc.problem(path, f'missing field "{name}"') for name in missing]
    if kind == "additionalProperties":
        known = sorted(schema_here.get("properties", {}))
        extra = [k for k in inst if k not in known]
        hint = f" (expected one of {', '.join(known)})" if known else ""
        return [doc.problem((*path, k), f"unknown field{hint}") for k in extra]
    if kind == "type":
        types = [arg] if isinstance(arg, str) else list(arg)
        want = " or ".join(_TYPES.get(t, t) for t in types)
        return [doc.problem(path, f"expected {want}, got {describe(inst)}")]
    if kind == "const":
        return [doc.problem(path, f"{describe(inst)}: {custom or f'expected {describe(arg)}'}")]
    if kind == "enum":
        return [doc.problem(path, f"{describe(inst)} is not one of {', '.join(map(str, arg))}")]
    if kind == "pattern":
        return [doc.problem(path, f"{describe(inst)} {custom or 'has the wrong form'}")]
    if kind == "minimum":
        return [doc.problem(path, f"{describe(inst)} is less than the minimum {arg}")]
    if kind == "maximum":
        return [doc.problem(path, f"{describe(inst)} is more than the maximum {arg}")]
    if kind == "exclusiveMinimum":
        return [doc.problem(path, f"{describe(inst)} must be more than {arg}")]
    if kind == "minLength":
        return [doc.problem(path, "must not be empty")]
    if kind == "minItems":
        return [doc.problem(path, f"needs at least {arg} item{'s' if arg != 1 else ''}")]
    if kind in ("minProperties", "maxProperties"):
        return [doc.problem(path, custom or f"{kind} {arg}")]
    return [doc.problem(path, error.message)]

"""JSON the way the Go reference plugins read and write it.

Writing mirrors ``encoding/json``: ``MarshalIndent(v, "", "    ")`` (results and
errors, no trailing newline) and ``Encoder.Encode`` (``VERSION``: compact, one
newline), with Go's string escaping (``<``, ``>``, ``&``, U+2028/9 as ``\\u``).
Reading mirrors ``json.Unmarshal`` into a struct: a key matches a field name
case-insensitively and the last matching key wins; decode errors carry Go's text.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from json.encoder import encode_basestring
from typing import Any, Final

__all__ = [
    "GoJsonError",
    "field",
    "go_quote",
    "go_quote_list",
    "marshal_compact",
    "marshal_indent",
    "unmarshal",
    "unmarshal_shared",
]

_ESCAPES: Final = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


class GoJsonError(ValueError):
    """A decode error with ``encoding/json``'s message."""


#: What ``json.dumps`` writes as Go does not: other control characters (``\b``,
#: ``\f``: Go before 1.22 writes ``\u0008``), ``<>&`` and U+2028/9 (Go's HTML-safe
#: escapes).
_SLOW: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f<>&\u2028\u2029\x7f-\x9f]")


def _str(s: str) -> str:
    """Go's ``encodeState.string`` (HTML-escaped)."""
    if _SLOW.search(s) is None:
        return json.dumps(s, ensure_ascii=False)
    out = ['"']
    for c in s:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or c in "<>&\u2028\u2029":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _encode(v: Any, indent: str, level: int) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    if isinstance(v, str):
        return _str(v)
    nl = "\n" + indent * (level + 1) if indent else ""
    end = "\n" + indent * level if indent else ""
    if isinstance(v, Mapping):
        if not v:
            return "{}"
        sep = ": " if indent else ":"
        items = [f"{_str(str(k))}{sep}{_encode(x, indent, level + 1)}" for k, x in v.items()]
        return "{" + nl + ("," + nl).join(items) + end + "}"
    if isinstance(v, (list, tuple)):
        if not v:
            return "[]"
        return "[" + nl + ("," + nl).join(_encode(x, indent, level + 1) for x in v) + end + "]"
    raise TypeError(f"cannot encode {type(v).__name__}")


#: In ``json.dumps``' output, what Go would have written otherwise: a raw
#: character Go escapes, or Python's short ``\b``/``\f`` escapes (a string that
#: merely holds a backslash before ``b`` or ``f`` only takes the slow path).
_DIFFERS: Final = re.compile("[<>&\u2028\u2029\x7f-\x9f]|\\\\[bf]")


def _fast(v: Any, indent: int | None) -> str | None:
    """``json.dumps`` where its text is Go's (the common case), else None.  The
    indented text of plain values (str keys; str, int, bool, None, list, tuple,
    dict) is laid out by :func:`_layout`, the text ``json.dumps(indent=N)``
    writes without its pure-Python encoder; compact text is ``json.dumps``' C."""
    text: str | None = None
    if indent:
        try:
            text = _layout(v, "\n", " " * indent)
        except (_NotPlain, RecursionError):
            text = None
    if text is None:
        try:
            text = json.dumps(v, ensure_ascii=False, indent=indent,
                              separators=(",", ": ") if indent else (",", ":"),
                              allow_nan=False, default=_refuse)  # fmt: skip
        except (TypeError, ValueError):
            return None
    return None if _differs(text) else text


def _differs(text: str) -> bool:
    """``_DIFFERS`` matches: ASCII text (no U+2028/9, nothing from U+007F up but
    DEL) is checked with a few substring scans, faster than the regex."""
    if text.isascii():
        return (
            "<" in text
            or ">" in text
            or "&" in text
            or "\x7f" in text
            or ("\\" in text and _DIFFERS.search(text) is not None)
        )
    return _DIFFERS.search(text) is not None


class _NotPlain(Exception):
    """A value :func:`_layout` leaves to ``json.dumps``."""


_quote: Final = encode_basestring  # what json.dumps(ensure_ascii=False) writes


def _layout(v: Any, nl: str, ind: str) -> str:
    t = type(v)
    if t is str:
        return _quote(v)
    if t is dict:
        if not v:
            return "{}"
        inner = nl + ind
        parts = []
        for k, x in v.items():
            if type(k) is not str:
                raise _NotPlain
            parts.append(_quote(k) + ": " + _layout(x, inner, ind))
        return "{" + inner + ("," + inner).join(parts) + nl + "}"
    if t is list or t is tuple:
        if not v:
            return "[]"
        inner = nl + ind
        return "[" + inner + ("," + inner).join([_layout(x, inner, ind) for x in v]) + nl + "]"
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if t is int:
        return int.__repr__(v)
    raise _NotPlain


def _refuse(v: Any) -> Any:
    raise TypeError(type(v).__name__)


def marshal_indent(v: Any, indent: str = "    ") -> str:
    """``json.MarshalIndent(v, "", indent)``: 4 spaces is what ``types.Result.Print``
    writes."""
    fast = _fast(v, len(indent)) if indent and indent.strip(" ") == "" else None
    return fast if fast is not None else _encode(v, indent, 0)


def marshal_compact(v: Any) -> str:
    """``json.Marshal(v)``."""
    fast = _fast(v, None)
    return fast if fast is not None else _encode(v, "", 0)


def go_quote(s: str) -> str:
    """Go's ``%q`` of a string (``strconv.Quote``)."""
    out = ['"']
    for c in s:
        if c in _ESCAPES:
            out.append(_ESCAPES[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def go_quote_list(items: list[str]) -> str:
    """Go's ``%q`` of a ``[]string``: ``["a" "b"]``."""
    return "[" + " ".join(go_quote(s) for s in items) + "]"


_JSON_START: Final = re.compile(r'[\[{"\-0-9tfn]')


def unmarshal(text: str) -> Any:
    """``json.Unmarshal``: the decoded value, or :class:`GoJsonError` with Go's text
    (``unexpected end of JSON input``, ``invalid character 'x' looking for
    beginning of value``, ...)."""
    stripped = text.strip(" \t\r\n")
    if not stripped:
        raise GoJsonError("unexpected end of JSON input")
    if not _JSON_START.match(stripped):
        raise GoJsonError(
            f"invalid character {_go_char(stripped[0])} looking for beginning of value"
        )
    try:
        return json.loads(stripped, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        if e.pos >= len(e.doc):
            raise GoJsonError("unexpected end of JSON input") from None
        c = _go_char(e.doc[e.pos])
        if e.msg.startswith("Extra data"):
            raise GoJsonError(f"invalid character {c} after top-level value") from None
        if e.msg.startswith("Expecting property name"):
            raise GoJsonError(
                f"invalid character {c} looking for beginning of object key string"
            ) from None
        if e.msg.startswith("Expecting ':'"):
            raise GoJsonError(f"invalid character {c} after object key") from None
        if e.msg.startswith("Expecting ','") and "{" in e.doc[: e.pos]:
            raise GoJsonError(f"invalid character {c} after object key:value pair") from None
        raise GoJsonError(f"invalid character {c} looking for beginning of value") from None


@functools.lru_cache(maxsize=8)
def unmarshal_shared(text: str) -> Any:
    """:func:`unmarshal`, memoised for readers that only look (the skel's checks
    and ``config_version`` read one invocation's config several times): the
    value is shared and must not be changed."""
    return unmarshal(text)


def _reject_constant(name: str) -> Any:
    raise json.JSONDecodeError("Expecting value", name, 0)


def _go_char(c: str) -> str:
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    return f"'{c}'"


def field(obj: Mapping[str, Any], name: str) -> Any:
    """The value Go's ``json.Unmarshal`` stores in the struct field tagged ``name``:
    keys match case-insensitively and the last match wins; None when absent."""
    if type(obj) is not dict:  # another mapping (or a caller's mistake, raising as ever)
        found: Any = None
        low = name.lower()
        for k, v in obj.items():
            if k.lower() == low:
                found = v
        return found
    key = _folded(tuple(obj)).get(name.lower())
    return None if key is None else obj[key]


@functools.lru_cache(maxsize=1024)
def _folded(keys: tuple[str, ...]) -> dict[str, str]:
    """Lower-cased key -> the last key that folds to it (objects of one shape
    recur: every pod's result and config has the same keys)."""
    return {k.lower(): k for k in keys}


def type_name(v: Any) -> str:
    """The JSON type Go names in ``cannot unmarshal X into ...``."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"

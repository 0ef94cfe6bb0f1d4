"""The plugin side of the exec protocol: ``skel.PluginMain`` of
containernetworking/cni v1.0.1.

:func:`plugin_main` takes a plugin, the environment and stdin, validates them
in the skel's order (env vars → stdin → config JSON → network name →
container ID → interface name → command → version), calls the plugin and
returns what the binary prints and its exit status: the result on stdout and
0, or the error JSON on stdout and 1.  Plugin errors that are not
:class:`CniError` with a code of their own are reported as ``ErrInternal`` (999)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from netsim.cni.errors import (
    ERR_DECODING_FAILURE,
    ERR_INCOMPATIBLE_CNI_VERSION,
    ERR_INVALID_ENVIRONMENT_VARIABLES,
    ERR_INVALID_NETWORK_CONFIG,
    CniError,
    GoPanic,
)
from netsim.cni.fs import PluginFs, PluginFsError
from netsim.cni.gojson import GoJsonError, field, type_name, unmarshal_shared
from netsim.cni.spec import (
    validate_container_id,
    validate_interface_name,
    validate_network_name,
)
from netsim.cni.version import (
    ALL,
    config_version,
    encode_plugin_info,
    greater_than_or_equal,
    reconcile,
)

__all__ = ["CmdArgs", "Output", "Plugin", "PluginFn", "plugin_main"]

#: (variable, commands that require it), in the order the skel reads them.
ENV_VARS: Final = (
    ("CNI_COMMAND", ("ADD", "CHECK", "DEL")),
    ("CNI_CONTAINERID", ("ADD", "CHECK", "DEL")),
    ("CNI_NETNS", ("ADD", "CHECK")),
    ("CNI_IFNAME", ("ADD", "CHECK", "DEL")),
    ("CNI_ARGS", ()),
    ("CNI_PATH", ("ADD", "CHECK", "DEL")),
)


@dataclass(frozen=True)
class CmdArgs:
    """``skel.CmdArgs``: the environment and the config bytes."""

    container_id: str
    netns: str
    ifname: str
    args: str
    path: str
    stdin: str


#: A command of a plugin: returns what it prints (None: nothing) or raises.
PluginFn = Callable[[CmdArgs, PluginFs], "str | None"]


@dataclass(frozen=True)
class Plugin:
    """A plugin binary: its name (``bv.BuildString``), commands and versions."""

    name: str
    add: PluginFn
    check: PluginFn
    delete: PluginFn
    supported: tuple[str, ...] = ALL

    @property
    def about(self) -> str:
        """What the binary prints on stderr without ``CNI_COMMAND``."""
        return f"CNI {self.name} plugin version unknown"


@dataclass(frozen=True)
class Output:
    """What a plugin run printed and its exit status."""

    stdout: str
    stderr: str
    status: int


def _env(env: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """``getCmdArgsFromEnv``: the command and the variables, or the code-4 error."""
    cmd = env.get("CNI_COMMAND", "")
    values = {name: env.get(name, "") for name, _ in ENV_VARS}
    missing = [n for n, req in ENV_VARS if not values[n] and (cmd in req or n == "CNI_COMMAND")]
    if missing:
        raise CniError(
            f"required env variables [{','.join(missing)}] missing",
            code=ERR_INVALID_ENVIRONMENT_VARIABLES,
        )
    return cmd, values


def _validate_config(stdin: str) -> None:
    """``validateConfig``: the JSON parses and names a valid network."""
    try:
        conf = unmarshal_shared(stdin)  # read only
    except GoJsonError as e:
        raise CniError(f"error unmarshall network config: {e}", code=ERR_DECODING_FAILURE) from None
    if not isinstance(conf, dict):
        raise CniError(
            f"error unmarshall network config: json: cannot unmarshal {type_name(conf)} "
            'into Go value of type struct { Name string "json:\\"name\\"" }',
            code=ERR_DECODING_FAILURE,
        )
    name = field(conf, "name")
    if name is not None and not isinstance(name, str):
        raise CniError(
            f"error unmarshall network config: json: cannot unmarshal {type_name(name)} "
            "into Go struct field .name of type string",
            code=ERR_DECODING_FAILURE,
        )
    if not name:
        raise CniError("missing network name", code=ERR_INVALID_NETWORK_CONFIG)
    validate_network_name(name)


def _call(fn: PluginFn, plugin: Plugin, args: CmdArgs, fs: PluginFs) -> str | None:
    """``checkVersionAndCall``."""
    reconcile(config_version(args.stdin), plugin.supported)
    try:
        return fn(args, fs)
    except (PluginFsError, GoJsonError) as e:
        raise CniError(str(e)) from None


def _dispatch(plugin: Plugin, env: Mapping[str, str], stdin: str, fs: PluginFs) -> str | None:
    cmd, v = _env(env)
    if cmd == "VERSION":
        return encode_plugin_info(plugin.supported)
    _validate_config(stdin)
    validate_container_id(v["CNI_CONTAINERID"])
    validate_interface_name(v["CNI_IFNAME"])
    args = CmdArgs(
        v["CNI_CONTAINERID"], v["CNI_NETNS"], v["CNI_IFNAME"], v["CNI_ARGS"], v["CNI_PATH"], stdin
    )
    if cmd == "ADD":
        return _call(plugin.add, plugin, args, fs)
    if cmd == "DEL":
        return _call(plugin.delete, plugin, args, fs)
    if cmd == "CHECK":
        version = config_version(stdin)
        if not greater_than_or_equal(version, "0.4.0"):
            raise CniError("config version does not allow CHECK", code=ERR_INCOMPATIBLE_CNI_VERSION)
        if any(greater_than_or_equal(pv, version) for pv in plugin.supported):
            return _call(plugin.check, plugin, args, fs)
        raise CniError("plugin version does not allow CHECK", code=ERR_INCOMPATIBLE_CNI_VERSION)
    raise CniError(f"unknown CNI_COMMAND: {cmd}", code=ERR_INVALID_ENVIRONMENT_VARIABLES)


def plugin_main(plugin: Plugin, env: Mapping[str, str], stdin: str, fs: PluginFs) -> Output:
    """``skel.PluginMain``: run one command of ``plugin`` as its binary would."""
    try:
        out = _dispatch(plugin, env, stdin, fs)
    except GoPanic as p:  # the Go runtime's exit status for an unrecovered panic
        return Output("", p.stderr, 2)
    except CniError as e:
        if e.code == ERR_INVALID_ENVIRONMENT_VARIABLES and not env.get("CNI_COMMAND"):
            versions = ", ".join(plugin.supported)
            return Output("", f"{plugin.about}\nCNI protocol versions supported: {versions}\n", 0)
        return Output(e.render(), "", 1)
    return Output(out or "", "", 0)

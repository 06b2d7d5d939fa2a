"""A Pulumi project on disk: Pulumi.yaml, the program directory and a stack's config.

Config is read the way the Pulumi CLI passes it to a program: every key namespaced
(`project:key`, `aws:region`), scalars as strings, objects and lists as JSON. `secure:` values
cannot be decrypted without the Pulumi service, so they become opaque placeholders and are
marked secret.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trustctl import redaction
from trustctl.errors import InputError
from trustctl.input_limits import STACK_CONFIG, load_yaml, read_text

SECRET_PLACEHOLDER = "[secret]"


@dataclass(frozen=True)
class PulumiProject:
    name: str
    root: Path  # the directory holding Pulumi.yaml
    program_dir: Path  # where __main__.py lives (`main`, default: root)
    config: dict[str, str] = field(default_factory=dict)
    secret_keys: tuple[str, ...] = ()


def _read_yaml(path: Path) -> Any:
    """A project or stack file, within the limits of a file a pull request controls."""
    return load_yaml(path, STACK_CONFIG).document or {}


def stack_config(path: Path) -> dict[str, Any]:
    """The `config:` of a Pulumi.<stack>.yaml as written (keys as in the file, values as YAML
    reads them): the one reader of stack files, so the gate, the audit and the drill refuse a
    bad one in the same words. InputError naming the file when it is unreadable, past its
    limits, or not a mapping with a mapping under `config:`."""
    document = _read_yaml(path)
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(document, dict) or not isinstance(config, dict | None):
        raise InputError(f"{path}: not a Pulumi stack config (expected a mapping `config:` of "
                         "settings)")
    return config or {}


def _as_config_string(value: Any) -> str:
    """Scalars as the CLI passes them; objects and lists as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _full_key(key: str, project: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def _project_defaults(raw: Any, project: str) -> dict[str, str]:
    """`config:` of Pulumi.yaml: plain values or {type, default, ...} declarations."""
    defaults: dict[str, str] = {}
    for key, decl in (raw or {}).items():
        if isinstance(decl, dict) and ("type" in decl or "default" in decl or "value" in decl):
            if "default" in decl or "value" in decl:
                value = decl.get("value", decl.get("default"))
                defaults[_full_key(key, project)] = _as_config_string(value)
        else:
            defaults[_full_key(key, project)] = _as_config_string(decl)
    return defaults


def load_project(project_dir: Path, stack: str) -> PulumiProject:
    """Read Pulumi.yaml and Pulumi.<stack>.yaml; InputError naming the file on any problem."""
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise InputError(f"{project_file}: no Pulumi.yaml (is --program the project directory?)")
    doc = _read_yaml(project_file)
    name = doc.get("name") if isinstance(doc, dict) else None
    if not name:
        raise InputError(f"{project_file}: no project `name`")
    runtime = doc.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise InputError(f"{project_file}: runtime {runtime_name!r} is not python")
    program_dir = (project_dir / doc.get("main", ".")).resolve()
    if not (program_dir / "__main__.py").is_file():
        raise InputError(f"{program_dir / '__main__.py'}: program entry point not found")

    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    # as Pulumi: a stack without a config file has the project's defaults only
    stack_values = stack_config(stack_file) if stack_file.is_file() else {}
    config = _project_defaults(doc.get("config"), name)
    secret_keys = []
    for key, value in stack_values.items():
        full = _full_key(key, name)
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full] = SECRET_PLACEHOLDER
            redaction.remember(str(value["secure"]))  # ciphertext today; never shown either
            secret_keys.append(full)
        else:
            config[full] = _as_config_string(value)
    return PulumiProject(
        name=name,
        root=project_dir.resolve(),
        program_dir=program_dir,
        config=config,
        secret_keys=tuple(secret_keys),
    )


DEFAULT_STACK = "prod"


def default_stack(project_dir: Path | None) -> tuple[str, str | None]:
    """The stack to plan when --stack is not given, as Pulumi picks it: PULUMI_STACK, else the
    stack `pulumi stack select` left in the workspace settings, else the project's only
    Pulumi.<stack>.yaml, else `prod`, with a one-line hint saying so."""
    if os.environ.get("PULUMI_STACK"):
        return os.environ["PULUMI_STACK"], None
    selected = selected_stack(project_dir) if project_dir is not None else None
    if selected:
        return selected, None
    files = sorted(project_dir.glob("Pulumi.*.yaml")) if project_dir is not None else []
    if len(files) == 1:
        return files[0].name.removeprefix("Pulumi.").removesuffix(".yaml"), None
    found = f" ({len(files)} stack files)" if files else ""
    return DEFAULT_STACK, (f"no --stack given and no single Pulumi.<stack>.yaml{found}: planning "
                           f"stack {DEFAULT_STACK!r}; give --stack NAME or set PULUMI_STACK")


def workspace_settings_file(project_dir: Path) -> Path:
    """Where the Pulumi CLI keeps a project's workspace settings: `<PULUMI_HOME or
    ~/.pulumi>/workspaces/<project name>-<sha1 of the Pulumi.yaml path>-workspace.json`."""
    project_file = Path(os.path.abspath(project_dir / "Pulumi.yaml"))
    name = project_name(project_file)
    digest = hashlib.sha1(str(project_file).encode(), usedforsecurity=False).hexdigest()
    home = Path(os.environ.get("PULUMI_HOME") or Path.home() / ".pulumi")
    return home / "workspaces" / f"{name}-{digest}-workspace.json"


def selected_stack(project_dir: Path) -> str | None:
    """The stack `pulumi stack select` recorded for the project (its `stack`, the name part of
    a qualified `org/project/stack`), or None when nothing is selected."""
    settings = workspace_settings_file(project_dir)
    if not settings.is_file():
        return None
    try:
        doc = json.loads(read_text(settings, STACK_CONFIG))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{settings}: not Pulumi workspace settings ({exc})") from exc
    stack = doc.get("stack") if isinstance(doc, dict) else None
    if stack is not None and not isinstance(stack, str):
        raise InputError(f"{settings}: `stack` is not a stack name")
    return stack.rsplit("/", 1)[-1] if stack else None


def project_name(project_file: Path) -> str:
    """The `name` of a Pulumi.yaml; InputError when it has none."""
    doc = _read_yaml(project_file) if project_file.is_file() else {}
    name = doc.get("name") if isinstance(doc, dict) else None
    if not isinstance(name, str) or not name:
        raise InputError(f"{project_file}: no project `name`")
    return name


def find_project(start: Path) -> Path | None:
    """The directory of the Pulumi project holding `start`: the nearest Pulumi.yaml in it or a
    parent, as the `pulumi` CLI finds it; None outside any project."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "Pulumi.yaml").is_file():
            return folder
    return None

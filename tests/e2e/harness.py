"""The end-to-end harness (its fixtures are in conftest.py): a `docker` helper bound to the daemon that
scripts/e2e-setup starts, and the names of the local base images it builds.

The helper builds a Dockerfile text with a build context made of files given as a dict (the
Dockerfile itself stays outside the context, so `COPY . .` sees only the project files), always
with `--network=host` (the daemon has no bridge) and never with `--pull` (no registry is
reachable; every base image is local). It runs commands in images and reads image configs.
`serve_folder` serves files to such a build over HTTP from this process.

Where the daemon cannot be reached the tests skip with the reason; under CI=true they fail, so
a broken setup never passes as green.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from support import missing_prerequisite

E2E_DIR = Path(os.environ.get("PYENVC_E2E_DIR", "/tmp/pyenvc-e2e"))

# The local images scripts/e2e-setup builds (tags as the real images have them).
RUNTIME_BASE = "quay.io/astronomer/astro-runtime:12.1.0-base"  # Airflow 2.10.1, Python 3.12, USER astro
RUNTIME_ONBUILD = "quay.io/astronomer/astro-runtime:12.1.0"  # the same plus the ONBUILD triggers
APACHE_AIRFLOW = "apache/airflow:2.10.1-python3.12"  # USER 50000 (airflow), home /home/airflow
RUNTIME3_BASE = "astrocrpublic.azurecr.io/runtime:3.3-2-base"  # Airflow 3.3.2, Python 3.12, USER astro
RUNTIME3_ONBUILD = "astrocrpublic.azurecr.io/runtime:3.3-2"  # the same plus the ONBUILD triggers
PYTHON_SLIM = {v: f"python:{v}-slim-bookworm" for v in ("3.8", "3.11", "3.12")}
DEFAULT_UV_IMAGE = "ghcr.io/astral-sh/uv:0.13.9"

# A `# syntax=` directive makes BuildKit pull a frontend image, which cannot work here.
_SYNTAX_DIRECTIVE = re.compile(r"\A(?:\ufeff)?(?:[ \t]*#[^\n]*\n|[ \t]*\r?\n)*?[ \t]*#[ \t]*syntax[ \t]*=", re.I)


# A step's first line in BuildKit's plain progress output: `#12 [venv-a 3/7] RUN ...`.
_STEP = re.compile(r"#(\d+) \[(?:[^\]]*\s)?\d+/\d+\] (.*)")


def _setup_env(name: str = "env") -> dict[str, str]:
    """What scripts/e2e-setup exported in $PYENVC_E2E_DIR/env (lines `export K=V`); `lint.env`:
    what scripts/e2e-lint-setup exported."""
    values: dict[str, str] = {}
    try:
        text = (E2E_DIR / name).read_text("utf-8")
    except OSError:
        return values
    for line in text.splitlines():
        m = re.fullmatch(r"\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*)", line)
        if m:
            values[m.group(1)] = m.group(2).strip().strip("'\"")
    return values


@contextlib.contextmanager
def serve_folder(folder: Path) -> Iterator[str]:
    """`folder` served over HTTP on the loopback address, from a thread of this process, while
    the block runs; its URL `http://127.0.0.1:PORT` (no slash at the end). A build with
    --network=host reaches it, as it would reach the user's package index."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # no line per request in the test output


class DockerError(AssertionError):
    """A docker command failed; the message holds the command and the end of its output."""


@attrs.frozen
class Built:
    """One finished `docker build`."""

    tag: str  # the image's tag (one made up per build when none was asked for)
    seconds: float  # wall time of the build
    log: str  # BuildKit's plain progress output

    @property
    def steps(self) -> dict[str, bool]:
        """Each Dockerfile step of the build (`[stage 2/5] RUN ...` without the bracket) ->
        whether it came from the cache. FROM steps and BuildKit's internal steps are left out."""
        titles: dict[str, str] = {}
        cached: set[str] = set()
        for line in self.log.splitlines():
            m = _STEP.match(line)
            if m:
                titles.setdefault(m.group(1), m.group(2))
            elif re.fullmatch(r"#(\d+) CACHED\s*", line):
                cached.add(line.split()[0][1:])
        return {
            title: number in cached
            for number, title in titles.items()
            if not title.upper().startswith("FROM ")
        }

    @property
    def executed(self) -> list[str]:
        """The steps that ran (were not cached), e.g. to prove that a change re-ran one venv."""
        return [title for title, was_cached in self.steps.items() if not was_cached]


@attrs.define
class Docker:
    """The e2e daemon, driven through the docker CLI."""

    env: dict[str, str]  # the process environment for docker: DOCKER_HOST, DOCKER_BUILDKIT
    client: str  # path of the docker client
    uv_image: str  # the local uv image's tag
    workdir: Path  # where build contexts are written
    built: list[str] = attrs.field(factory=list)  # tags this session made up, removed at the end

    # -- plumbing -----------------------------------------------------------------------------

    def cli(
        self, *args: str, input: str | bytes | None = None, timeout: float = 600, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run `docker ARGS...`; raise DockerError when it fails and `check` is true."""
        data = input.encode("utf-8") if isinstance(input, str) else input
        proc = subprocess.run(
            [self.client, *args], env=self.env, input=data, capture_output=True, timeout=timeout
        )
        result = subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )
        if check and result.returncode != 0:
            raise DockerError(
                f"docker {' '.join(args)} exited with {result.returncode}\n"
                f"--- stdout (end)\n{result.stdout[-6000:]}\n--- stderr (end)\n{result.stderr[-6000:]}"
            )
        return result

    # -- images -------------------------------------------------------------------------------

    def has_image(self, ref: str) -> bool:
        return self.cli("image", "inspect", ref, check=False).returncode == 0

    def require_image(self, ref: str) -> None:
        """Skip (fail under CI) when a local base image is missing."""
        if not self.has_image(ref):
            missing_prerequisite(f"the local image {ref} is missing (run scripts/e2e-setup)")

    def build(
        self,
        dockerfile: str,
        files: Mapping[str, str | bytes] | None = None,
        *,
        context: Path | None = None,
        tag: str | None = None,
        build_args: Mapping[str, str] | None = None,
        target: str | None = None,
        no_cache: bool = False,
        extra: Sequence[str] = (),
        timeout: float = 1800,
    ) -> Built:
        """Build `dockerfile` (text) with a context: the directory `context`, or a fresh one
        holding `files` (relative path -> text or bytes). Returns the tag and the build log."""
        if _SYNTAX_DIRECTIVE.match(dockerfile):
            raise ValueError("no `# syntax=` directive in e2e Dockerfiles: BuildKit would pull it")
        job = Path(tempfile.mkdtemp(prefix="build-", dir=self.workdir))
        path = job / "Dockerfile"
        path.write_text(dockerfile, "utf-8", newline="")
        if context is None:
            context = job / "context"
            context.mkdir()
            for name, content in (files or {}).items():
                dest = context / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(content, bytes):
                    dest.write_bytes(content)
                else:
                    dest.write_text(content, "utf-8", newline="")
        elif files:
            raise ValueError("give either a context directory or files, not both")
        if tag is None:
            digest = hashlib.sha256(dockerfile.encode("utf-8", "surrogateescape")).hexdigest()[:12]
            tag = f"pyenvc-e2e/test-{digest}-{len(self.built)}:latest"
            self.built.append(tag)
        args = ["build", "--network=host", "--progress=plain", "-f", str(path), "-t", tag]
        for key, value in (build_args or {}).items():
            args += ["--build-arg", f"{key}={value}"]
        if target:
            args += ["--target", target]
        if no_cache:
            args.append("--no-cache")
        args += [*extra, str(context)]
        started = time.monotonic()
        proc = self.cli(*args, timeout=timeout)
        seconds = time.monotonic() - started
        shutil.rmtree(job, ignore_errors=True)
        return Built(tag=tag, seconds=seconds, log=proc.stderr)

    def build_fails(self, dockerfile: str, files: Mapping[str, str | bytes] | None = None, **kwargs) -> str:
        """Build that must fail; returns the log."""
        try:
            built = self.build(dockerfile, files, **kwargs)
        except DockerError as err:
            return str(err)
        raise AssertionError(f"the build succeeded unexpectedly:\n{built.log[-4000:]}")

    def inspect(self, ref: str) -> dict:
        """The image's `docker image inspect` record (Config holds User, Env, WorkingDir, ...)."""
        return json.loads(self.cli("image", "inspect", ref).stdout)[0]

    def user(self, ref: str) -> str:
        return self.inspect(ref)["Config"].get("User") or ""

    def image_env(self, ref: str) -> dict[str, str]:
        pairs = (item.split("=", 1) for item in self.inspect(ref)["Config"].get("Env") or [])
        return {key: value for key, value in pairs}

    # -- containers ---------------------------------------------------------------------------

    def run(
        self,
        image: str,
        *command: str,
        user: str | None = None,
        env: Mapping[str, str] | None = None,
        workdir: str | None = None,
        entrypoint: str | None = None,
        check: bool = True,
        timeout: float = 600,
    ) -> str | subprocess.CompletedProcess[str]:
        """`docker run --rm` a command; its stdout (or, with check=False, the whole result)."""
        args = ["run", "--rm", "--network=host"]
        if user is not None:
            args += ["--user", user]
        if workdir is not None:
            args += ["--workdir", workdir]
        if entrypoint is not None:
            args += ["--entrypoint", entrypoint]
        for key, value in (env or {}).items():
            args += ["--env", f"{key}={value}"]
        proc = self.cli(*args, image, *command, timeout=timeout, check=check)
        return proc.stdout if check else proc

    def sh(self, image: str, script: str, **kwargs) -> str:
        """Run a shell script (`sh -c`) in the image; its stdout."""
        return self.run(image, "sh", "-c", script, **kwargs)

    def cleanup(self) -> None:
        if self.built and os.environ.get("PYENVC_E2E_KEEP_IMAGES") != "1":
            self.cli("image", "rm", "--force", *self.built, check=False, timeout=300)
        shutil.rmtree(self.workdir, ignore_errors=True)

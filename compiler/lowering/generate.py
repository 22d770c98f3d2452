"""The text of generated instructions: one list of single-line instructions per job.

In: what to generate (a Python version and its image, a venv, the Astro Runtime steps). Out:
lines without line endings; the lowering joins them with the file's own line ending.

Every line is a complete instruction on one line (no continuation, whatever the escape
character), every path is absolute, and every RUN is in JSON (exec) form, so neither a user's
`SHELL` (even PowerShell) nor `WORKDIR` changes what runs. Where a shell is needed, the JSON
form names `/bin/sh -c` itself.

The interpreter is installed under a prefix of its own, `/opt/pyenvc/pythonX.Y`, never under
`/usr/local`: the base image's Python (which Airflow runs on) is never overwritten, even when
it has the same X.Y. CPython finds its standard library relative to its executable, the official
images link `python` with an `$ORIGIN/../lib` run path, and for builds without one a file in
/etc/ld.so.conf.d puts the prefix's lib directory in the loader cache after /usr/local/lib (so
the base's own libpythonX.Y, where it has one, still comes first for the base).
"""

from __future__ import annotations

import json

PREFIX_ROOT = "/opt/pyenvc"


def prefix(major_minor: str) -> str:
    return f"{PREFIX_ROOT}/python{major_minor}"


def interpreter_python(major_minor: str) -> str:
    return f"{prefix(major_minor)}/bin/python{major_minor}"


def _exec(*argv: str) -> str:
    return json.dumps(list(argv), ensure_ascii=False)


def _sh(script: str) -> str:
    return _exec("/bin/sh", "-c", script)


def interpreter(major_minor: str, image: str, m_symlink: bool) -> list[str]:
    """Copy CPython X.Y's own, version-suffixed files from `image` under its prefix, register
    its lib directory with the loader. Runs as root; once per X.Y per stage."""
    p = prefix(major_minor)
    v = major_minor
    lines = [
        f"COPY --link --from={image} /usr/local/bin/*{v}* {p}/bin/",
        f"COPY --link --from={image} /usr/local/include/python{v}* {p}/include/python{v}/",
        f"COPY --link --from={image} /usr/local/lib/pkgconfig/*{v}* {p}/lib/pkgconfig/",
        f"COPY --link --from={image} /usr/local/lib/*{v}*.so* {p}/lib/",
        f"COPY --link --from={image} /usr/local/lib/python{v} {p}/lib/python{v}/",
    ]
    script = f"echo {p}/lib >/etc/ld.so.conf.d/pyenvc-python{v}.conf"
    if m_symlink:
        script += f" && ln -sfn python{v} {p}/include/python{v}m"
    script += " && /sbin/ldconfig"
    lines.append("RUN " + _sh(script))
    return lines


def venv_dirs(home: str, name: str, uid: int, installer: str = "pip") -> list[str]:
    """Create the venv's directory and the installer's cache directory as root and hand them to
    the runtime user; create the home too where the image has none."""
    venv = f"{home}/.venv/{name}"
    cache = f"{home}/.cache/{installer}"
    script = (
        f"if [ ! -d {home} ]; then mkdir -p {home} && chown {uid}:0 {home}; fi"
        f" && mkdir -p {venv} {cache}"
        f" && chown {uid}:0 {home}/.venv {venv} {home}/.cache {cache}"
    )
    return ["RUN " + _sh(script)]


# Where the uv binary is mounted for the RUN steps that use it (never left in the image).
UV_MOUNT_TARGET = "/usr/local/bin/uv"
# The uv image the binary comes from, by default: `/uv` at its root, as ghcr.io/astral-sh/uv has it.
DEFAULT_UV_IMAGE = "ghcr.io/astral-sh/uv:0.13.9"


def venv(
    name: str,
    major_minor: str,
    requirements: str | None,
    uid: int,
    home: str,
    installer: str,
    uv_image: str = DEFAULT_UV_IMAGE,
    env: bool = True,
) -> list[str]:
    """Create the venv as the runtime user, copy the requirements in after it (so a change to
    them re-runs only the install), install them with a cache mount, and name it in ENV (unless
    `env` is False: the stages layout sets ENV in the final stage).

    With uv: the binary is bind-mounted from `uv_image`; `uv venv --seed` (pip stays in the
    venv, as with the pip installer) into the empty directory `venv_dirs` made
    (`--allow-existing`: uv refuses an existing directory otherwise); `uv pip install` with
    bytecode compiled (as pip does), files copied out of the cache mount (`--link-mode=copy`:
    the cache is not in the image) and Python downloads off (the interpreter is the copied one).
    TLS and index settings come from the image (`/etc/uv/uv.toml`, `UV_*` variables), as pip's
    come from `/etc/pip.conf`.
    """
    path = f"{home}/.venv/{name}"
    python = interpreter_python(major_minor)
    lines = [f"USER {uid}:0"]
    if installer == "uv":
        uv = f"--mount=from={uv_image},source=/uv,target={UV_MOUNT_TARGET}"
        cache = f"{home}/.cache/uv"
        lines.append(
            f"RUN {uv} "
            + _exec(UV_MOUNT_TARGET, "venv", "--no-python-downloads", "--allow-existing", "--seed", "--python", python, path)
        )
    else:
        cache = f"{home}/.cache/pip"
        lines.append("RUN " + _exec(python, "-m", "venv", path))
    if requirements is not None:
        lines.append(f"COPY --chown={uid}:0 {requirements} {path}/requirements.txt")
        mount = f"--mount=type=cache,target={cache},uid={uid},gid=0"
        if installer == "uv":
            lines.append(
                f"RUN {uv} {mount} "
                + _exec(
                    UV_MOUNT_TARGET,
                    "pip",
                    "install",
                    "--no-python-downloads",
                    "--python",
                    f"{path}/bin/python",
                    f"--cache-dir={cache}",
                    "--link-mode=copy",
                    "--compile-bytecode",
                    "-r",
                    f"{path}/requirements.txt",
                )
            )
        else:
            lines.append(
                f"RUN {mount} "
                + _exec(
                    f"{path}/bin/python",
                    "-m",
                    "pip",
                    "install",
                    f"--cache-dir={cache}",
                    "-r",
                    f"{path}/requirements.txt",
                )
            )
    if env:
        lines.append(env_line(name, home))
    return lines


def env_line(name: str, home: str) -> str:
    return f"ENV ASTRO_PYENV_{name}={home}/.venv/{name}/bin/python"


def copy_interpreter(major_minor: str, stage: str) -> list[str]:
    """Stages layout, final stage: the interpreter's prefix and its loader file from the venv
    stage, then ldconfig (as root). Once per X.Y per stage."""
    p = prefix(major_minor)
    conf = f"/etc/ld.so.conf.d/pyenvc-python{major_minor}.conf"
    return [
        f"COPY --link --from={stage} {p} {p}",
        f"COPY --link --from={stage} {conf} {conf}",
        "RUN " + _exec("/sbin/ldconfig"),
    ]


def copy_venv(name: str, home: str, uid: int, stage: str) -> list[str]:
    """Stages layout, final stage: the venv from its stage, at the same absolute path (so its
    scripts' `#!` lines and `pyvenv.cfg` stay valid), owned by the runtime user."""
    path = f"{home}/.venv/{name}"
    return [f"COPY --link --chown={uid}:0 --from={stage} {path} {path}"]


def astro_packages(project_dir: str) -> list[str]:
    """What the Astro Runtime ONBUILD triggers do first: install packages.txt with apt, as root;
    nothing when it names no package (comments and blank lines only)."""
    packages = f"{project_dir}/packages.txt"
    script = (
        f"packages=$(sed -e 's/#.*//' {packages} | tr -d '\\r' | xargs);"
        ' if [ -n "$packages" ]; then apt-get update'
        " && apt-get install -y --no-install-recommends $packages"
        " && apt-get clean && rm -rf /var/lib/apt/lists/*; fi"
    )
    return [f"COPY packages.txt {packages}", "RUN " + _sh(script)]


def astro_project(project_dir: str) -> list[str]:
    """What the ONBUILD triggers do next: install requirements.txt with the base image's pip
    (refusing a pin of apache-airflow) and copy the project in."""
    requirements = f"{project_dir}/requirements.txt"
    script = (
        f"if grep -Eqx 'apache-airflow[[:space:]]*[=~>]{{1,2}}.*' {requirements}; then"
        " echo >&2 \"Do not upgrade by specifying 'apache-airflow' in your requirements.txt,"
        " change the base image instead!\"; exit 1; fi;"
        f" exec /usr/local/bin/python -m pip install --no-cache-dir -r {requirements}"
    )
    return [
        f"COPY requirements.txt {requirements}",
        "RUN " + _sh(script),
        f"COPY --chown=astro:0 . {project_dir}/",
    ]

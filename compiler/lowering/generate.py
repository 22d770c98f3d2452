"""The generated instructions, as nodes: one list per job.

In: what to generate (a Python version and its image, a venv, the Astro Runtime steps). Out:
`NewInstruction` nodes, which syntax/emitter.py renders as single lines (and refuses where a
value would not survive); the lowering joins them with the file's own line ending.

Every line is a complete instruction on one line (no continuation, whatever the escape
character), every path is absolute, and every RUN is in JSON (exec) form, so neither a user's
`SHELL` (even PowerShell) nor `WORKDIR` changes what runs. Where a shell is needed, the JSON
form names `/bin/sh -c` itself, and every value in its script is quoted for the shell
(`shlex.quote` leaves a plain path as it is), so no value can be read as shell syntax.

The interpreter is installed under a prefix of its own, `/opt/pyenvc/pythonX.Y`, never under
`/usr/local`: the base image's Python (which Airflow runs on) is never overwritten, even when
it has the same X.Y. CPython finds its standard library relative to its executable, the official
images link `python` with an `$ORIGIN/../lib` run path, and for builds without one a file in
/etc/ld.so.conf.d puts the prefix's lib directory in the loader cache after /usr/local/lib (so
the base's own libpythonX.Y, where it has one, still comes first for the base).
"""

from __future__ import annotations

from shlex import quote as q
from typing import NamedTuple, Optional, Sequence

from pyenvc.lowering.requirements import UV_LOCK, Requirements
from pyenvc.syntax.emitter import NewInstruction, Verbatim, heredoc_delimiter

PREFIX_ROOT = "/opt/pyenvc"
# Where the uv binary is mounted for the RUN steps that use it (never left in the image).
UV_MOUNT_TARGET = "/usr/local/bin/uv"
# The uv image the binary comes from, by default: `/uv` at its root, as ghcr.io/astral-sh/uv has it.
DEFAULT_UV_IMAGE = "ghcr.io/astral-sh/uv:0.13.9"
# Every uv step: the copied interpreter only (no downloaded Python), and the system's certificate
# store (a corporate proxy's CA is there, not in uv's own roots; `--system-certs` in the pinned
# uv; `--native-tls` before 0.11, deprecated since).
UV_FLAGS = ("--no-python-downloads", "--system-certs")


def prefix(major_minor: str) -> str:
    return f"{PREFIX_ROOT}/python{major_minor}"


def interpreter_python(major_minor: str) -> str:
    return f"{prefix(major_minor)}/bin/python{major_minor}"


def _sh(script: str) -> NewInstruction:
    return NewInstruction("RUN", argv=("/bin/sh", "-c", script))


def _copy(*words: str, flags: tuple = ()) -> NewInstruction:
    return NewInstruction("COPY", flags, words)


def user(name: str) -> NewInstruction:
    return NewInstruction("USER", words=(name,))


class Interpreter(NamedTuple):
    """A CPython X.Y to put under its prefix: from which image, and whether it needs the
    `include/pythonX.Ym` symlink (before 3.8)."""

    major_minor: str
    image: str
    m_symlink: bool


def interpreter(major_minor: str, image: str, m_symlink: bool, then: Sequence[str] = ()) -> list[NewInstruction]:
    """Copy CPython X.Y's own, version-suffixed files from `image` under its prefix, register
    its lib directory with the loader. Runs as root; once per X.Y per stage."""
    return interpreters([Interpreter(major_minor, image, m_symlink)], then)


def interpreters(wanted: Sequence[Interpreter], then: Sequence[str] = ()) -> list[NewInstruction]:
    """`interpreter()` for several at once: every one's files, then one step that registers
    them all and runs ldconfig once, and then runs `then` (more of what root does before a venv,
    as `&&` chains: `venv_dirs_script`), so as to cost no step of its own."""
    nodes, steps = [], []
    for one in wanted:
        p, v = prefix(one.major_minor), one.major_minor
        source = (("link", None), ("from", one.image))
        nodes += [
            _copy(f"/usr/local/bin/*{v}*", f"{p}/bin/", flags=source),
            _copy(f"/usr/local/include/python{v}*", f"{p}/include/python{v}/", flags=source),
            _copy(f"/usr/local/lib/pkgconfig/*{v}*", f"{p}/lib/pkgconfig/", flags=source),
            _copy(f"/usr/local/lib/*{v}*.so*", f"{p}/lib/", flags=source),
            _copy(f"/usr/local/lib/python{v}", f"{p}/lib/python{v}/", flags=source),
        ]
        if one.m_symlink:
            steps.append(f"ln -sfn {q('python' + v)} {q(f'{p}/include/python{v}m')}")
        steps.append(f"echo {q(p + '/lib')} >{q(f'/etc/ld.so.conf.d/pyenvc-python{v}.conf')}")
    nodes.append(_sh(" && ".join([*steps, "/sbin/ldconfig", *then])))
    return nodes


def venv_dirs(home: str, name: str, uid: int, installer: str = "pip") -> list[NewInstruction]:
    """Create the venv's directory and the installer's cache directory as root and hand them to
    the runtime user; create the home too where the image has none."""
    return [_sh(venv_dirs_script(home, name, uid, installer))]


def venv_dirs_script(home: str, name: str, uid: int, installer: str = "pip") -> str:
    """`venv_dirs`'s shell script, to run in another root step."""
    venv = f"{home}/.venv/{name}"
    cache = f"{home}/.cache/{installer}"
    owner = f"{uid}:0"
    script = (
        f"if [ ! -d {q(home)} ]; then mkdir -p {q(home)} && chown {q(owner)} {q(home)}; fi"
        f" && mkdir -p {q(venv)} {q(cache)}"
        f" && chown {q(owner)} {q(home + '/.venv')} {q(venv)} {q(home + '/.cache')} {q(cache)}"
    )
    return script


def venv(
    name: str,
    major_minor: str,
    requirements: Optional[Requirements],
    uid: int,
    home: str,
    installer: str,
    uv_image: str = DEFAULT_UV_IMAGE,
    env: bool = True,
) -> list[NewInstruction]:
    """Create the venv as the runtime user, copy the requirements in after it (so a change to
    them re-runs only the install), install them with a cache mount, and name it in ENV (unless
    `env` is False: the stages layout sets ENV in the final stage).

    With uv: the binary is bind-mounted from `uv_image`; `uv venv --seed` (pip stays in the
    venv, as with the pip installer) into the empty directory `venv_dirs` made
    (`--allow-existing`: uv refuses an existing directory otherwise); `uv pip install` with
    bytecode compiled (as pip does), files copied out of the cache mount (`--link-mode=copy`:
    the cache is not in the image), Python downloads off (the interpreter is the copied one) and
    the system's certificate store. Index settings come from the image (`/etc/uv/uv.toml`, `UV_*`
    variables), as pip's come from `/etc/pip.conf`.
    The requirements by kind: see `_install`.
    """
    path = f"{home}/.venv/{name}"
    python = interpreter_python(major_minor)
    nodes = [user(f"{uid}:0")]
    uv = _uv_mount(uv_image)
    cache = f"{home}/.cache/{installer}"
    mount = ("mount", (("type", "cache"), ("target", cache), ("uid", str(uid)), ("gid", "0")))
    if installer == "uv":
        # the seed packages come from the index, through the cache (the user's HOME may not be
        # `home`: a uid the image has no account for gets HOME=/, which it cannot write)
        argv = (UV_MOUNT_TARGET, "venv", *UV_FLAGS, f"--cache-dir={cache}", "--allow-existing", "--seed",
                "--python", python, path)
        nodes.append(NewInstruction("RUN", (uv, mount, *secrets(uid, home, path)), argv=argv))
    else:  # python -m venv installs pip from its own wheel: no index
        nodes.append(NewInstruction("RUN", argv=(python, "-m", "venv", path)))
    if requirements is not None:
        nodes += _install(requirements, path, uid, home, (cache, mount), installer, uv)
    # the check runs in the step that last changed the venv, not a step of its own: one container
    # and one layer less per venv, on every build that changes it
    nodes[-1] = _and_then(nodes[-1], self_check(path, major_minor, installer, requirements is not None))
    if env:
        nodes.append(env_line(name, home))
    return nodes


def _install(requirements: Requirements, path: str, uid: int, home: str, caching: tuple, installer: str, uv: tuple) -> list:
    """Copy the requirements into the venv's directory and install them with a cache mount.

    - a requirements file, or a heredoc's body (a COPY heredoc with a quoted delimiter, so
      nothing is expanded at build time, and a blank line after it), becomes requirements.txt;
      where every requirement is hashed, uv is told `--require-hashes` (pip enters hash-checking
      mode by itself);
    - a PEP 751 lock keeps its name (uv reads the kind from it): `uv pip install -r pylock.toml`;
    - uv.lock is copied in with its pyproject.toml; `uv export --frozen` (the lock as it is, never
      re-resolved) writes its packages, hashed, without the project itself and without dependency
      groups or extras, and those are installed in hash-checking mode.
    """
    cache, mount = caching  # the cache directory, and its cache mount
    chown = (("chown", f"{uid}:0"),)
    target = f"{path}/{requirements.file_name}"
    nodes: list = []
    hashed = requirements.hashed
    if requirements.inline is not None:
        body = requirements.inline
        delimiter = heredoc_delimiter(body)
        marker = Verbatim(f"<<'{delimiter}'", f"<<'{delimiter}'")
        nodes += [NewInstruction("COPY", chown, (marker, target), heredoc=(delimiter, body)), ""]
    elif requirements.kind == UV_LOCK:
        project = f"{path}/project"
        nodes.append(_copy(*requirements.project_files, f"{project}/", flags=chown))
        export = (
            UV_MOUNT_TARGET, "export", *UV_FLAGS, f"--cache-dir={cache}", "--frozen", "--no-default-groups",
            "--no-emit-project", "--format", "requirements.txt", "--project", project, "--output-file", target,
        )
        nodes.append(NewInstruction("RUN", (uv, mount), argv=export))
        hashed = True  # uv export writes every package's hashes
    else:
        assert requirements.path is not None
        nodes.append(_copy(requirements.path, target, flags=chown))
    if installer == "uv":
        argv = (
            UV_MOUNT_TARGET, "pip", "install", *UV_FLAGS, "--python", f"{path}/bin/python",
            f"--cache-dir={cache}", "--link-mode=copy", "--compile-bytecode",
            *(("--require-hashes",) if hashed else ()), "-r", target,
        )
        nodes.append(NewInstruction("RUN", (uv, mount, *secrets(uid, home, path)), argv=argv))
    else:
        argv = (f"{path}/bin/python", "-m", "pip", "install", f"--cache-dir={cache}", "-r", target)
        nodes.append(NewInstruction("RUN", (mount, *secrets(uid, home, path)), argv=argv))
    return nodes


# The build secrets every step that reaches a package index mounts, when the build provides
# them (`docker build --secret id=netrc,src=$HOME/.netrc`; optional, so a build without them
# works): id -> what it is. Each is mounted where its tool reads it by default, readable by the
# step's user only, and never lands in a layer.
SECRETS = {
    "netrc": "a netrc file: credentials for pip and uv, at the user's ~/.netrc",
    "pip-conf": "a pip configuration file, as the site config <prefix>/pip.conf (the venv's, or the base Python's)",
    "uv-toml": "a uv configuration file, as the user's ~/.config/uv/uv.toml",
}


def secrets(uid: int, home: str, prefix: str) -> tuple:
    """The optional secret mounts of a step run as `uid` whose HOME is `home`, for the Python
    installation at `prefix` (pip reads `<prefix>/pip.conf` on top of /etc/pip.conf; uv merges
    the user's uv.toml with /etc/uv/uv.toml; both read ~/.netrc)."""
    targets = {"netrc": f"{home}/.netrc", "pip-conf": f"{prefix}/pip.conf", "uv-toml": f"{home}/.config/uv/uv.toml"}
    return tuple(
        ("mount", (("type", "secret"), ("id", name), ("target", target), ("required", "false"),
                   ("uid", str(uid)), ("gid", "0"), ("mode", "0400")))
        for name, target in targets.items()
    )


def _uv_mount(uv_image: str) -> tuple:
    return ("mount", (("from", uv_image), ("source", "/uv"), ("target", UV_MOUNT_TARGET)))


# The extension modules whose shared libraries come from the base image: a python image of
# another Debian release than the base's (the old frontend's issue #17) fails to load them.
EXTENSION_MODULES = ("ssl", "sqlite3", "ctypes", "zlib", "bz2", "lzma")


def self_check(path: str, major_minor: str, installer: str, packages: bool) -> str:
    """The shell script by which the build checks the venv it made (guarantee 10): its
    interpreter loads the extension modules, and, when requirements were installed, the venv's
    packages are consistent (`uv pip check`, with the uv binary the install step mounts, or
    `pip check`). A failure fails the build at that step, which `pyenvc build` traces back to
    the PYENV line; the message says which check failed and what to do."""
    python = f"{path}/bin/python"
    script = (
        f"{q(python)} -I -c {q('import ' + ', '.join(EXTENSION_MODULES))}"
        f" || {{ echo >&2 {q(_INTERPRETER_FAILED.format(v=major_minor))}; exit 1; }}"
    )
    if packages:
        if installer == "uv":
            check = f"{UV_MOUNT_TARGET} pip check --python {q(python)}"
        else:
            check = f"{q(python)} -m pip check --disable-pip-version-check"
        script += f" && {{ {check} || {{ echo >&2 {q(_PACKAGES_FAILED.format(path=path))}; exit 1; }}; }}"
    return script


def _and_then(run: NewInstruction, script: str) -> NewInstruction:
    """`run` (a RUN in exec form) with `script` run after it succeeds, in the same step and
    with the same mounts: `/bin/sh -c '<its argv, quoted> && { <script>; }'`."""
    assert run.keyword == "RUN" and run.argv is not None
    command = " ".join(q(word) for word in run.argv)
    return run._replace(argv=("/bin/sh", "-c", f"{command} && {{ {script}; }}"))


_INTERPRETER_FAILED = (
    "pyenvc: Python {v} cannot load its extension modules on this base image: its python image is"
    " likely built for another Debian release (pick the matching one with --python-flavour or"
    " PYENV --python-image)"
)
_PACKAGES_FAILED = "pyenvc: the packages in {path} are inconsistent (see above): fix the requirements of the venv"


def env_line(name: str, home: str) -> NewInstruction:
    return NewInstruction("ENV", words=(f"ASTRO_PYENV_{name}={home}/.venv/{name}/bin/python",))


def copy_venv(name: str, home: str, uid: int, stage: str) -> list[NewInstruction]:
    """Stages layout, final stage: the venv from its stage, at the same absolute path (so its
    scripts' `#!` lines and `pyvenv.cfg` stay valid), owned by the runtime user."""
    path = f"{home}/.venv/{name}"
    return [_copy(path, path, flags=(("link", None), ("chown", f"{uid}:0"), ("from", stage)))]


def astro_packages(project_dir: str) -> list[NewInstruction]:
    """What the Astro Runtime ONBUILD triggers do first: install packages.txt with apt, as root;
    nothing when it names no package (comments and blank lines only)."""
    packages = f"{project_dir}/packages.txt"
    # No pipe (a failing sed would go unnoticed without pipefail: hadolint's DL4006); the words
    # split on white space, never globbed (`set -f`), as the triggers' own `xargs` split them.
    script = (
        f"set -f; set -- $(sed -e 's/#.*//' -e 's/\\r//g' {q(packages)});"
        ' if [ "$#" -gt 0 ]; then apt-get update'
        ' && apt-get install -y --no-install-recommends "$@"'
        " && apt-get clean && rm -rf /var/lib/apt/lists/*; fi"
    )
    return [_copy("packages.txt", packages), *APT_PIN_IGNORE, _sh(script)]


# hadolint's DL3008 asks for pinned apt packages: the names (and any pins) are the user's, in
# packages.txt, which the generated step installs as written.
APT_PIN_IGNORE = (
    "# the packages and their pins are packages.txt's own, installed as written:",
    "# hadolint ignore=DL3008",
)


def astro_requirements(project_dir: str) -> list[NewInstruction]:
    """What the ONBUILD triggers do next: install requirements.txt with the base image's pip,
    refusing a pin of apache-airflow. As root."""
    requirements = f"{project_dir}/requirements.txt"
    script = (
        f"if grep -Eqx 'apache-airflow[[:space:]]*[=~>]{{1,2}}.*' {q(requirements)}; then"
        " echo >&2 \"Do not upgrade by specifying 'apache-airflow' in your requirements.txt,"
        " change the base image instead!\"; exit 1; fi;"
        f" exec /usr/local/bin/python -m pip install --no-cache-dir -r {q(requirements)}"
    )
    # as root, with the base image's Python under /usr/local (pip's site config is its prefix's)
    run = NewInstruction("RUN", secrets(0, "/root", "/usr/local"), argv=("/bin/sh", "-c", script))
    return [_copy("requirements.txt", requirements), run]


def astro_project(project_dir: str) -> list[NewInstruction]:
    """What the ONBUILD triggers do last: copy the project in, owned by astro."""
    return [_copy(".", f"{project_dir}/", flags=(("chown", "astro:0"),))]

"""The Airflow provider (`pyenvc_airflow`) against real Airflow: DAG files written to a DAGs
folder and run with `dag.test()` on a temporary sqlite database, tasks in bare venvs made from
pyenv's CPython 3.8 and 3.12. The same module runs on Airflow 3.3 and 2.11 (`scripts/test-provider`).

Values cross the process boundary by pickle and XCom in both directions; each DAG's last host
task writes what arrived to a JSON file that the test reads back (see conftest's `DagRunner`).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyenvc_airflow import venvs
from pyenvc_airflow.source import strip_task_decorators

pytestmark = pytest.mark.airflow


def one():
    return 1


def venv_dir(python: str | Path) -> str:
    return str(Path(python).parent.parent)


# -- registration -------------------------------------------------------------------------------


def test_task_venv_is_registered_through_the_provider_entry_point(airflow, airflow_3):
    from pyenvc_airflow.decorator import venv_task

    if airflow_3:
        from airflow.sdk import task
    else:
        from airflow.decorators import task
    assert task.venv is venv_task


@pytest.mark.filterwarnings("ignore:.*deprecated")
def test_airflow_decorators_task_venv_still_works(airflow):
    """Airflow 3 keeps `airflow.decorators.task` (with a deprecation warning); DAGs written for 2 use it."""
    from airflow.decorators import task

    from pyenvc_airflow.decorator import venv_task

    assert task.venv is venv_task


def test_entry_point_names_this_distribution():
    """Airflow rejects a provider whose package-name is not the normalised distribution name."""
    import pyenvc_airflow

    points = [
        ep
        for ep in importlib.metadata.entry_points(group="apache_airflow_provider")
        if ep.value.startswith("pyenvc_airflow")
    ]
    assert len(points) == 1, points
    info = points[0].load()()
    assert points[0].load() is pyenvc_airflow.get_provider_info
    assert info["package-name"] == points[0].dist.metadata["Name"].lower().replace("_", "-")
    assert info["task-decorators"] == [{"name": "venv", "class-name": "pyenvc_airflow.decorator.venv_task"}]


# -- running tasks in venvs ---------------------------------------------------------------------


@pytest.mark.parametrize("venv", ["p38", "p312"])
def test_values_travel_through_xcom_both_ways(dags, pyenv_venvs, venv):
    states = dags.run(
        f"""
        @dag(dag_id="roundtrip_{venv}", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def roundtrip():
            @task
            def make():
                return {{"n": 21, "text": "h\\u00e9llo", "items": [1, 2, None]}}

            @task.venv("{venv}")
            def double(payload, factor, *, tag):
                import sys
                return {{
                    "n": payload["n"] * factor,
                    "text": payload["text"].upper(),
                    "items": payload["items"][::-1],
                    "tag": tag,
                    "version": list(sys.version_info[:2]),
                    "prefix": sys.prefix,
                }}

            @task
            def check(result):
                record("roundtrip_{venv}", result)

            check(double(make(), 2, tag="t"))

        roundtrip()
        """,
        f"roundtrip_{venv}",
    )
    assert states == {"make": "success", "double": "success", "check": "success"}
    got = dags.result(f"roundtrip_{venv}")
    assert got == {
        "n": 42,
        "text": "H\u00c9LLO",
        "items": [None, 2, 1],
        "tag": "t",
        "version": [int(part) for part in {"p38": "3.8", "p312": "3.12"}[venv].split(".")],
        "prefix": venv_dir(pyenv_venvs[venv]),
    }


def test_multiple_outputs_unrolls_a_dict_into_xcoms(dags):
    states = dags.run(
        """
        @dag(dag_id="multi", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def multi():
            @task.venv("p38", multiple_outputs=True)
            def split():
                return {"left": [1, 2], "right": "r"}

            @task
            def check(left, right):
                record("multi", {"left": left, "right": right})

            out = split()
            check(out["left"], out["right"])

        multi()
        """,
        "multi",
    )
    assert states == {"split": "success", "check": "success"}
    assert dags.result("multi") == {"left": [1, 2], "right": "r"}


def test_operator_by_venv_name_with_templated_arguments(dags, pyenv_venvs):
    """VenvOperator: op_args, op_kwargs and templates_dict rendered; the venv name itself templated."""
    states = dags.run(
        """
        def describe(first, when, run_id, templates_dict=None):
            import sys
            return {
                "first": first,
                "when": when,
                "run_id_rendered": "{{" not in run_id,
                "greeting": templates_dict["greeting"],
                "prefix": sys.prefix,
            }

        @dag(
            dag_id="classic",
            schedule=None,
            start_date=pendulum.datetime(2024, 1, 1),
            params={"venv": "p38", "who": "world"},
        )
        def classic():
            op = VenvOperator(
                task_id="describe",
                venv="{{ params.venv }}",
                python_callable=describe,
                op_args=["{{ params.who }}"],
                op_kwargs={"when": "{{ ds }}", "run_id": "{{ run_id }}"},
                templates_dict={"greeting": "hello {{ params.who }}"},
            )
            fixed = VenvOperator(task_id="fixed", venv="p312", python_callable=describe,
                                 op_args=["x"], op_kwargs={"when": "w", "run_id": "r"},
                                 templates_dict={"greeting": "g"})

            @task
            def check(described, fixed, ds=None):
                record("classic", {"described": described, "fixed": fixed, "ds": ds})

            check(op.output, fixed.output)

        classic()
        """,
        "classic",
    )
    assert states == {"describe": "success", "fixed": "success", "check": "success"}
    got = dags.result("classic")
    assert got["described"] == {
        "first": "world",
        "when": got["ds"],
        "run_id_rendered": True,
        "greeting": "hello world",
        "prefix": venv_dir(pyenv_venvs["p38"]),
    }
    assert got["fixed"]["prefix"] == venv_dir(pyenv_venvs["p312"])


def test_templated_venv_name_in_the_decorator(dags, pyenv_venvs):
    dags.run(
        """
        @dag(dag_id="templated_deco", schedule=None, start_date=pendulum.datetime(2024, 1, 1),
             params={"v": "p312"})
        def templated_deco():
            @task.venv("{{ params.v }}")
            def where():
                import sys
                return sys.prefix

            @task
            def check(prefix):
                record("templated_deco", prefix)

            check(where())

        templated_deco()
        """,
        "templated_deco",
    )
    assert dags.result("templated_deco") == venv_dir(pyenv_venvs["p312"])


def test_external_python_keywords_change_what_runs(dags):
    """env_vars, inherit_env=False, string_args, serializer, expect_airflow, skip_on_exit_code."""
    states = dags.run(
        """
        @dag(dag_id="keywords", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def keywords():
            @task.venv("p312", env_vars={"PYENVC_ONLY": "yes"}, inherit_env=False,
                       string_args=["a", "b"], serializer="pickle", expect_airflow=False)
            def environment():
                import os
                return {
                    "only": os.environ.get("PYENVC_ONLY"),
                    "home_leaked": "AIRFLOW_HOME" in os.environ,
                    "string_args": virtualenv_string_args,
                }

            @task.venv("p38", skip_on_exit_code=99)
            def skipped():
                import sys
                sys.exit(99)

            @task
            def check(env):
                record("keywords", env)

            check(environment())
            skipped()

        keywords()
        """,
        "keywords",
    )
    assert states == {"environment": "success", "check": "success", "skipped": "skipped"}
    assert dags.result("keywords") == {"only": "yes", "home_leaked": False, "string_args": ["a", "b"]}


def test_dynamic_task_mapping_over_a_venv_task(dags):
    states = dags.run(
        """
        @dag(dag_id="mapped", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def mapped():
            @task.venv("p38")
            def times(n, factor):
                return n * factor

            @task
            def check(values):
                record("mapped", sorted(values))

            check(times.partial(factor=10).expand(n=[1, 2, 3]))

        mapped()
        """,
        "mapped",
    )
    assert states == {"times": "success", "check": "success"}
    assert dags.result("mapped") == [10, 20, 30]


def test_aliased_decorator_is_stripped_from_the_venv_source(dags):
    """`task as t` then `@t.venv(...)`: Airflow strips only the literal `@task.venv`, so the
    venv used to fail with NameError: name 't' is not defined."""
    states = dags.run(
        """
        try:
            from airflow.sdk import task as t
        except ImportError:
            from airflow.decorators import task as t

        @dag(dag_id="aliased", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def aliased():
            @t.venv(
                "p312",  # the venv
                multiple_outputs=False,
            )
            def inside():
                # a comment line, and a string that looks like a decorator
                return "@t.venv('p312')"

            @task
            def check(value):
                record("aliased", value)

            check(inside())

        aliased()
        """,
        "aliased",
    )
    assert states == {"inside": "success", "check": "success"}
    assert dags.result("aliased") == "@t.venv('p312')"


# -- errors people can act on -------------------------------------------------------------------


def test_unknown_venv_fails_at_parse_time_saying_what_to_add(dags, pyenv_venvs):
    error = dags.import_error(
        """
        @dag(dag_id="unknown", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def unknown():
            @task.venv("snowpark")
            def f():
                return 1

            f()

        unknown()
        """
    )
    assert "UnknownVenvError: unknown venv 'snowpark': the environment variable ASTRO_PYENV_snowpark is not set" in error
    assert f"'p38' (ASTRO_PYENV_p38={pyenv_venvs['p38']})" in error
    assert f"'p312' (ASTRO_PYENV_p312={pyenv_venvs['p312']})" in error
    assert "PYENV 3.12 snowpark requirements.txt" in error


def test_unknown_venv_in_the_operator_fails_at_parse_time(dags):
    error = dags.import_error(
        """
        @dag(dag_id="unknown_op", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def unknown_op():
            VenvOperator(task_id="x", venv="p31", python_callable=one)

        unknown_op()
        """
    )
    assert "ASTRO_PYENV_p31 is not set" in error
    assert "did you mean 'p312'?" in error
    assert "PYENV 3.12 p31 requirements.txt" in error


@pytest.mark.parametrize(
    ("decorator", "expected"),
    [
        ('@task.venv("a b")', "invalid venv name 'a b'"),
        ("@task.venv", '@task.venv("name")'),
        ('@task.venv("p38", python="/usr/bin/python3")', "takes the venv's name, not python="),
    ],
    ids=["invalid-name", "no-name", "python-path"],
)
def test_misuse_of_the_decorator_fails_at_parse_time(dags, decorator, expected):
    error = dags.import_error(
        f"""
        @dag(dag_id="misuse", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def misuse():
            {decorator}
            def f():
                return 1

            f()

        misuse()
        """
    )
    assert expected in error


def test_venv_without_interpreter_fails_the_task_clearly(dags, monkeypatch, tmp_path):
    ghost = tmp_path / "gone" / "bin" / "python"
    monkeypatch.setenv("ASTRO_PYENV_ghost", str(ghost))
    states = dags.run(
        """
        @dag(dag_id="ghost", schedule=None, start_date=pendulum.datetime(2024, 1, 1),
             default_args={"on_failure_callback": record_failure})
        def ghost():
            @task.venv("ghost")
            def f():
                return 1

            VenvOperator(task_id="classic", venv="ghost", python_callable=one)
            f()

        ghost()
        """,
        "ghost",
    )
    assert states == {"f": "failed", "classic": "failed"}
    for task_id in ("f", "classic"):
        error = dags.error(task_id)
        assert error["type"] == "VenvInterpreterError"
        assert f"venv 'ghost': ASTRO_PYENV_ghost={ghost} points at no interpreter (no such file)" in error["message"]


def test_templated_name_of_no_venv_fails_the_task(dags):
    states = dags.run(
        """
        @dag(dag_id="templated_unknown", schedule=None, start_date=pendulum.datetime(2024, 1, 1),
             params={"v": "nowhere"}, default_args={"on_failure_callback": record_failure})
        def templated_unknown():
            VenvOperator(task_id="op", venv="{{ params.v }}", python_callable=one)

        templated_unknown()
        """,
        "templated_unknown",
    )
    assert states == {"op": "failed"}
    error = dags.error("op")
    assert error["type"] == "UnknownVenvError"
    assert "ASTRO_PYENV_nowhere is not set" in error["message"]


def test_an_exception_in_the_venv_fails_the_task_with_its_message(dags):
    states = dags.run(
        """
        @dag(dag_id="boom", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
        def boom():
            @task.venv("p38", on_failure_callback=record_failure)
            def explode():
                raise RuntimeError("kaboom from 3.8")

            explode()

        boom()
        """,
        "boom",
    )
    assert states == {"explode": "failed"}
    assert "kaboom from 3.8" in dags.error("explode")["message"]


# -- every ExternalPythonOperator keyword ---------------------------------------------------------

# A value for each keyword of ExternalPythonOperator.__init__ (on either Airflow line). A keyword
# Airflow adds later fails the test below until it is listed here.
KEYWORD_VALUES = {
    "serializer": "dill",
    "use_dill": True,
    "op_args": [1],
    "op_kwargs": {"k": 2},
    "string_args": ["s"],
    "templates_dict": {"t": "{{ ds }}"},
    "templates_exts": [".sql"],
    "expect_airflow": False,
    "expect_pendulum": True,
    "skip_on_exit_code": 3,
    "env_vars": {"E": "1"},
    "inherit_env": False,
    "show_return_value_in_logs": False,
}


def _external_python_keywords():
    from pyenvc_airflow._compat import ExternalPythonOperator

    own = {"self", "python", "python_callable", "kwargs"}
    return [
        name
        for name, p in inspect.signature(ExternalPythonOperator.__init__).parameters.items()
        if name not in own and p.kind is not p.VAR_KEYWORD
    ]


@pytest.mark.filterwarnings("ignore:`use_dill` is deprecated")
def test_every_external_python_keyword_is_accepted_and_kept(airflow, pyenv_venvs):
    from pyenvc_airflow import VenvOperator
    from pyenvc_airflow._compat import ExternalPythonOperator

    def f(*args, **kwargs):
        return None

    names = _external_python_keywords()
    unknown = [n for n in names if n not in KEYWORD_VALUES]
    assert not unknown, f"ExternalPythonOperator has keywords this test has no value for: {unknown}"
    python = str(pyenv_venvs["p312"])

    def state(op):
        return {a: repr(v) for a, v in vars(op).items() if "task_id" not in a and "0x" not in repr(v)}

    default = state(ExternalPythonOperator(task_id="default", python=python, python_callable=f))
    for name in names:
        kw = {name: KEYWORD_VALUES[name]}
        ours = state(VenvOperator(task_id=f"ours_{name}", venv="p312", python_callable=f, **kw))
        theirs = state(ExternalPythonOperator(task_id=f"theirs_{name}", python=python, python_callable=f, **kw))
        changed = {a for a in theirs if theirs[a] != default.get(a)}
        assert changed, f"{name}={kw[name]!r} changes nothing observable on ExternalPythonOperator"
        assert {a: ours.get(a) for a in changed} == {a: theirs[a] for a in changed}, name
        assert ours["python"] == repr(python)


def test_every_external_python_keyword_is_accepted_by_the_decorator(dags):
    names = _external_python_keywords()
    arguments = ", ".join(
        f"{name}={KEYWORD_VALUES[name]!r}"
        for name in names
        if name not in ("op_args", "op_kwargs", "use_dill")  # the call gives op_*; use_dill excludes serializer
    )
    dags_found, errors = dags.parse(
        dags.write(
            f"""
            @dag(dag_id="all_keywords", schedule=None, start_date=pendulum.datetime(2024, 1, 1))
            def all_keywords():
                @task.venv("p312", {arguments})
                def f():
                    return 1

                f()

            all_keywords()
            """,
            parse_only=True,
        )
    )
    assert not errors, errors
    op = dags_found["all_keywords"].get_task("f")
    assert op.env_vars == {"E": "1"}
    assert op.inherit_env is False
    assert op.string_args == ["s"]
    assert op.expect_airflow is False


# -- the version check: local suffixes, no subprocess ---------------------------------------------


def _fake_venv(python: Path, tmp_path: Path, name: str, dists: dict[str, str]) -> str:
    """A real (bare) venv from pyenv's 3.12 with dist-info folders claiming `dists` installed."""
    root = tmp_path / name
    subprocess.run([str(python), "-m", "venv", "--without-pip", str(root)], check=True)
    (site,) = root.glob("lib/python3.12/site-packages")
    for dist, version in dists.items():
        info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n\nbody\n")
    return str(root / "bin" / "python")


@contextlib.contextmanager
def no_subprocess():
    """Make starting any process an error, to prove a code path starts none."""
    original = subprocess.Popen.__init__

    def refuse(popen, args, *rest, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")

    subprocess.Popen.__init__ = refuse
    try:
        yield
    finally:
        subprocess.Popen.__init__ = original


@pytest.mark.parametrize(
    ("installed", "ours_sees_airflow", "airflow_sees_airflow"),
    [
        ("{host}", True, True),
        ("{host}+astro.1", True, False),  # Airflow's own exact comparison rejects a local build
        ("1.10.15", False, False),
        (None, False, False),
    ],
    ids=["same", "local-suffix", "other", "absent"],
)
def test_airflow_version_check_tolerates_local_suffixes(
    airflow, python312, tmp_path, monkeypatch, installed, ours_sees_airflow, airflow_sees_airflow
):
    from pyenvc_airflow import VenvOperator
    from pyenvc_airflow._compat import AIRFLOW_VERSION, ExternalPythonOperator

    dists = {} if installed is None else {"apache-airflow": installed.format(host=AIRFLOW_VERSION)}
    python = _fake_venv(python312, tmp_path, "fake", dists)
    monkeypatch.setenv("ASTRO_PYENV_fake", python)
    ours = VenvOperator(task_id="ours", venv="fake", python_callable=one)
    theirs = ExternalPythonOperator(task_id="theirs", python=python, python_callable=one)

    assert bool(theirs._get_airflow_version_from_target_env()) is airflow_sees_airflow  # the real thing
    with no_subprocess():
        found = ours._get_airflow_version_from_target_env()
    assert found == (dists["apache-airflow"] if ours_sees_airflow else None)


def test_pendulum_check_reads_the_venv(airflow, python312, tmp_path, monkeypatch):
    from pyenvc_airflow import VenvOperator

    for name, dists, expected in (("withp", {"pendulum": "3.0.0"}, True), ("nop", {}, False)):
        monkeypatch.setenv(f"ASTRO_PYENV_{name}", _fake_venv(python312, tmp_path, name, dists))
        op = VenvOperator(task_id=f"t_{name}", venv=name, python_callable=one)
        with no_subprocess():
            assert op._is_pendulum_installed_in_target_env() is expected


def test_installed_versions_agree_with_importlib_metadata(airflow):
    """In this very (uv-made) venv, the dist-info reading agrees with importlib.metadata."""
    names = ["apache-airflow", "pytest", "hypothesis", "packaging", "attrs", "pendulum"]
    expected = {}
    for name in names:
        try:
            expected[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    assert "apache-airflow" in expected
    assert venvs.installed_versions(sys.executable, *names, "no-such-dist") == expected


def test_installed_versions_outside_a_venv_asks_the_interpreter(python312):
    python = python312
    assert not (python.parent.parent / "pyvenv.cfg").exists()
    expected = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('pip'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert venvs.installed_versions(str(python), "pip", "no-such-dist") == {"pip": expected}


@pytest.mark.parametrize(
    ("version", "base"),
    [("2.9.1+astro.1", "2.9.1"), ("2.9.1", "2.9.1"), ("3.0.0.post1", "3.0.0"), ("3.1.0rc1", "3.1.0")],
)
def test_base_version(version, base):
    assert venvs.base_version(version) == base


# -- name resolution and interpreter checks, without Airflow -------------------------------------


def test_resolve_and_listing():
    environ = {"ASTRO_PYENV_a": "/a/bin/python", "ASTRO_PYENV_": "/empty", "OTHER": "x", "ASTRO_PYENV_b-2": "/b"}
    assert venvs.available(environ) == {"a": "/a/bin/python", "b-2": "/b"}
    assert venvs.resolve("a", environ) == "/a/bin/python"
    with pytest.raises(venvs.UnknownVenvError) as info:
        venvs.resolve("A", environ)
    assert "did you mean 'a'?" in str(info.value)
    with pytest.raises(venvs.UnknownVenvError) as info:
        venvs.resolve("x", {})
    assert "venvs in this environment: none (no ASTRO_PYENV_* variable is set)" in str(info.value)
    with pytest.raises(venvs.UnknownVenvError) as info:
        venvs.resolve("e", {"ASTRO_PYENV_e": ""})
    assert "unknown venv 'e': the environment variable ASTRO_PYENV_e is empty" in str(info.value)
    for bad in ("", "a;b", "a b", None, 3):
        with pytest.raises(venvs.UnknownVenvError, match="invalid venv name"):
            venvs.resolve(bad, environ)


def test_check_interpreter(tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("")
    plain.chmod(0o644)
    broken = tmp_path / "broken"
    broken.symlink_to(tmp_path / "removed-base-python")
    for path, problem in [
        (str(broken), f"points at no interpreter (a broken link to {tmp_path / 'removed-base-python'})"),
        ("bin/python", "is not an absolute path"),
        (str(tmp_path / "missing"), "points at no interpreter (no such file)"),
        (str(tmp_path), "points at no interpreter (not a file)"),
        (str(plain), "points at a file that is not executable"),
    ]:
        with pytest.raises(venvs.VenvInterpreterError) as info:
            venvs.check_interpreter("v", path)
        assert f"venv 'v': ASTRO_PYENV_v={path} {problem}" in str(info.value)
    venvs.check_interpreter("v", sys.executable)  # a real interpreter passes


# -- stripping task decorators from the source the venv runs -------------------------------------


def test_strip_aliased_and_multiline_decorators():
    source = textwrap.dedent(
        """\
            @t.venv(
                "p312",  # comment inside
                multiple_outputs=True,
            )
            @setup
            @airflow.sdk.task.run_if(lambda context: True)
            @functools.lru_cache  # not a task decorator: kept, as Airflow keeps it
            def f(x):
                # body comment kept
                @t.venv("inner")  # a nested function's decorator is the function's own business
                def g():
                    return "@t.venv"
                return x
        """
    )
    assert strip_task_decorators(textwrap.indent(source, "    ")) == textwrap.dedent(
        """\
            @functools.lru_cache  # not a task decorator: kept, as Airflow keeps it
            def f(x):
                # body comment kept
                @t.venv("inner")  # a nested function's decorator is the function's own business
                def g():
                    return "@t.venv"
                return x
        """
    )


def test_airflows_own_stripping_misses_the_alias(airflow, airflow_3):
    """The reason for `strip_task_decorators`: Airflow leaves `@t.venv(...)` in place."""
    if airflow_3:
        from airflow.sdk.definitions._internal.decorators import remove_task_decorator
    else:
        from airflow.utils.decorators import remove_task_decorator
    source = '@t.venv("p312")\ndef f():\n    return 1\n'
    assert "@t.venv" in remove_task_decorator(source, "@task.venv")
    assert strip_task_decorators(source) == "def f():\n    return 1\n"


_DECORATORS = st.sampled_from(
    [
        ("@task.venv('a')", True),
        ("@t.venv(\n    'a',\n)", True),
        ("@x.y.venv_task('a')", True),
        ("@teardown", True),
        ("@task.skip_if(lambda c: False)", True),
        ("@staticmethod", False),
        ("@functools.wraps(g)", False),
        ("@venvs_are_nice", False),
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_DECORATORS, max_size=6), st.sampled_from(["def", "async def"]), st.sampled_from(["", "    "]))
def test_strip_keeps_exactly_the_other_decorators(decorators, keyword, indent):
    body = f"{keyword} f(a, b=1):\n    return '@task.venv(\"x\")'\n"
    source = "".join(d + "\n" for d, _ in decorators) + body
    expected = "".join(d + "\n" for d, task in decorators if not task) + body
    assert strip_task_decorators(textwrap.indent(source, indent)) == expected

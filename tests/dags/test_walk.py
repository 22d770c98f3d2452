"""check-dags' walk of DAG folders, through the real `pyenvc check-dags` process (bound by file
modes even as root): every path that cannot be read is a finding of its own (DAG004, DAG005) and
the rest is still checked; nothing hangs, nothing aborts."""

from __future__ import annotations

import json
import os
import socket
import stat

import pytest

from support import missing_prerequisite, run_pyenvc

DOCKERFILE = "FROM quay.io/astronomer/astro-runtime:12.1.0\nPYENV 3.11 a\n"
USES_B = "from airflow.sdk import task\n\n@task.venv('b')\ndef f():\n    pass\n"
USES_A = USES_B.replace("'b'", "'a'")


@pytest.fixture()
def project(tmp_path):
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "dags" / "team").mkdir(parents=True)
    (tmp_path / "dags" / "good.py").write_text(USES_A)
    (tmp_path / "dags" / "team" / "wrong.py").write_text(USES_B)  # a DAG001 that must still be found
    return tmp_path


def _findings(project, *paths: str) -> tuple[int, list[tuple[str, str, str]]]:
    result = run_pyenvc(["check-dags", "Dockerfile", *(paths or ["dags"]), "--format", "json"], project, timeout=30)
    assert result.stderr == "", result.stderr
    found = json.loads(result.stdout)
    assert all((f["line"], f["column"]) == (1, 1) for f in found if f["code"] in ("DAG004", "DAG005"))
    return result.returncode, [(f["file"], f["code"], f["message"]) for f in found]


WRONG = ("dags/team/wrong.py", "DAG001", "no PYENV in Dockerfile declares the venv 'b'")


def _one_odd_entry(project, name: str, make) -> list:
    make(project / "dags" / name)
    code, found = _findings(project)
    assert code == 1 and WRONG in found and not any(f[1] == "DAG002" for f in found), found  # good.py was read
    return [f for f in found if f[0] == f"dags/{name}"]


def test_a_dangling_link(project) -> None:
    assert _one_odd_entry(project, "gone.py", lambda p: p.symlink_to("nowhere.py")) == [
        ("dags/gone.py", "DAG004", "cannot read dags/gone.py: it is a symbolic link to nowhere.py, which does not exist"),
    ]


def test_a_link_loop(project) -> None:
    assert _one_odd_entry(project, "self.py", lambda p: p.symlink_to("self.py")) == [
        ("dags/self.py", "DAG004", "cannot read dags/self.py: Too many levels of symbolic links"),
    ]


def test_a_fifo_is_never_opened(project) -> None:
    """Opening a FIFO waits for a writer: a hang would fail this test by its timeout."""
    assert _one_odd_entry(project, "pipe.py", os.mkfifo) == [
        ("dags/pipe.py", "DAG004", "cannot read dags/pipe.py: it is a FIFO (named pipe), not a regular file (not opened)"),
    ]


def test_a_socket(project) -> None:
    server = socket.socket(socket.AF_UNIX)
    try:
        assert _one_odd_entry(project, "sock.py", lambda p: server.bind(str(p))) == [
            ("dags/sock.py", "DAG004", "cannot read dags/sock.py: it is a socket, not a regular file (not opened)"),
        ]
    finally:
        server.close()


def test_a_device(project) -> None:
    def make(path) -> None:
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # the zero device's numbers: never ends
        except OSError as error:
            missing_prerequisite(f"cannot make a device node: {error}")

    assert _one_odd_entry(project, "zero.py", make) == [
        ("dags/zero.py", "DAG004", "cannot read dags/zero.py: it is a character device, not a regular file (not opened)"),
    ]


def test_a_file_its_permissions_close(project) -> None:
    def make(path) -> None:
        path.write_text(USES_A)
        path.chmod(0)

    assert _one_odd_entry(project, "secret.py", make) == [
        ("dags/secret.py", "DAG004", "cannot read dags/secret.py: Permission denied"),
    ]


def test_a_folder_its_permissions_close(project) -> None:
    def make(path) -> None:
        path.mkdir()
        (path / "inside.py").write_text(USES_B)
        path.chmod(0)

    try:
        assert _one_odd_entry(project, "closed", make) == [
            ("dags/closed", "DAG004", "cannot read dags/closed: cannot list the folder: Permission denied"),
        ]
    finally:
        (project / "dags" / "closed").chmod(0o755)


def test_a_folder_loop_is_walked_once(project) -> None:
    (project / "dags" / "team" / "up").symlink_to("..")
    code, found = _findings(project)
    assert code == 1
    assert found.count(WRONG) == 1  # walked once, though the loop leads back to it
    [loop] = [f for f in found if f[1] == "DAG005"]
    assert loop[0] == "dags/team/up" and "already walked (a symbolic link loop" in loop[2]


def test_two_links_to_one_folder(project) -> None:
    (project / "shared").mkdir()
    (project / "shared" / "s.py").write_text(USES_B)
    (project / "dags" / "one").symlink_to("../shared")
    (project / "dags" / "two").symlink_to("../shared")
    code, found = _findings(project)
    assert code == 1
    assert [f[0] for f in found if f[1] == "DAG001"] == ["dags/one/s.py", "dags/team/wrong.py"]
    assert [f[0] for f in found if f[1] == "DAG005"] == ["dags/two"]


def test_odd_files_named_on_the_command_line_are_findings_too(project) -> None:
    os.mkfifo(project / "pipe")
    (project / "gone").symlink_to("nowhere")
    code, found = _findings(project, "pipe", "gone", "dags/team/wrong.py")
    assert code == 1
    assert [(f[0], f[1]) for f in found] == [("pipe", "DAG004"), ("gone", "DAG004"), WRONG[:2], ("Dockerfile", "DAG002")]


def test_text_output_and_hints(project) -> None:
    (project / "dags" / "gone.py").symlink_to("nowhere.py")
    os.mkfifo(project / "dags" / "pipe.py")
    result = run_pyenvc(["check-dags", "Dockerfile", "dags"], project, timeout=30)
    assert result.returncode == 1 and result.stderr == ""
    assert "dags/gone.py:1:1: error[DAG004]: cannot read dags/gone.py: it is a symbolic link" in result.stdout
    assert "help: point the link at an existing DAG file, or remove it" in result.stdout
    assert "help: remove it: a DAG file is a regular file" in result.stdout
    assert "\n3 errors, 0 warnings: 2 DAG files, 2 venv uses, 1 venv (2 paths not read);" in result.stdout


def test_a_named_path_that_does_not_exist_stays_a_usage_error(project) -> None:
    result = run_pyenvc(["check-dags", "Dockerfile", "nowhere.py"], project)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "pyenvc: error: cannot read nowhere.py: No such file or directory\n"

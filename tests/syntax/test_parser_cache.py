"""The parser's cache (see pyenvc/syntax/parser.py): the standalone parser is generated once
into the per-user cache folder and then runs without importing Lark; a cache folder that cannot
be written, or a cache file that is damaged or from elsewhere, still gives the same trees (from
Lark itself, or a file generated anew)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support import without_root_overrides

# Parses a few files (heredocs, a directive, a BOM, trailing trivia, an error), then feeds the
# parser a token stream its grammar rejects; prints every tree, the error codes, and whether
# Lark itself was imported.
SCRIPT = r"""
import sys
import pyenvc
from pyenvc.syntax import lexer
from pyenvc.syntax.tree import Heredoc

texts = [
    "FROM a\nRUN <<EOF\nx\nEOF\nPYENV 3.8 v\n",
    "\ufeff# escape=`\n# c\nFROM a AS b\nRUN a `\n  b\n\n# end\n",
    "FROM a\nCOPY <<A <<B /x\na\nA\nb\nB\n",
    "FROM a\nRUN <<EOF\n",
]
for text in texts:
    try:
        print(repr(pyenvc.parse(text)))
    except pyenvc.ParseError as error:
        print("ParseError", [d.code for d in error.diagnostics])

def broken(text):
    return [lexer.NodeToken("HEREDOC", Heredoc(text, 0, "EOF", 0, True, False, ""))]

lexer.scan = broken
try:
    pyenvc.parse("x\n")
except pyenvc.ParseError as error:
    print("ParseError", [d.code for d in error.diagnostics])
print("lark imported:", "lark" in sys.modules)
"""


def run(cache_home: Path) -> tuple[str, bool]:
    """The script's output without its last line, and whether Lark itself was imported; run as
    a process that file modes bind, even as root."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                            preexec_fn=without_root_overrides)
    assert result.returncode == 0, result.stderr
    *trees, last = result.stdout.splitlines()
    assert last in ("lark imported: True", "lark imported: False")
    return "\n".join(trees), last.endswith("True")


def parser_files(cache_home: Path) -> list[Path]:
    return sorted((cache_home / "pyenvc").glob("parser-*.bin"))


def _payload(inputs: tuple, code: object) -> bytes:
    import marshal
    import zlib

    from pyenvc.syntax import parser

    payload = marshal.dumps((inputs, code))
    return parser._MAGIC + b"%08x\n" % zlib.crc32(payload) + payload


def _stored(data: bytes) -> tuple:
    import marshal

    return marshal.loads(data.split(b"\n", 2)[2])


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> str:
    """The trees from Lark itself: the cache folder is a file, so no cache can be had."""
    home = tmp_path_factory.mktemp("no-cache") / "cache"
    home.write_text("a file, not a folder\n")
    trees, lark = run(home)
    assert lark and "Dockerfile(" in trees and "ParseError ['DF002']" in trees and trees.endswith("ParseError ['DF010']")
    return trees


def test_the_standalone_parser_is_generated_once_then_runs_without_importing_lark(tmp_path, expected):
    assert run(tmp_path) == (expected, True)  # generated, with Lark's own generator
    (kept,) = parser_files(tmp_path)
    assert run(tmp_path) == (expected, False)
    assert parser_files(tmp_path) == [kept]


def test_a_damaged_cache_file_still_parses_and_is_generated_anew(tmp_path, expected):
    run(tmp_path)
    (kept,) = parser_files(tmp_path)
    kept.write_bytes(b"not a cache\n")
    assert run(tmp_path) == (expected, True)
    assert run(tmp_path) == (expected, False)  # the file was made whole again


@pytest.fixture(scope="module")
def valid_file() -> bytes:
    """A whole cache file for this pyenvc, generated here (not read from the user's cache)."""
    from pyenvc.syntax import parser

    inputs = parser._inputs()
    code, _, _ = parser._generate_standalone("<test>", inputs[0])
    return _payload(inputs, code)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"not a cache\n",
        lambda data: b"",
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:-100] + bytes(100),  # the checksum no longer matches
        lambda data: data.replace(b"pyenvc lark-standalone 1", b"pyenvc lark-standalone 0", 1),
        # a checksum that holds over marshal data that does not load
        lambda data: data.split(b"\n", 2)[0] + b"\n%08x\n\xff\xfe" % __import__("zlib").crc32(b"\xff\xfe"),
        # made for another grammar (as a collision of the names' hashes would give)
        lambda data: _payload(("start: BOM\n", *_stored(data)[0][1:]), _stored(data)[1]),
        lambda data: _payload(_stored(data)[0], b"not code"),
    ],
    ids=["garbage", "empty", "truncated", "corrupt", "other-format", "bad-marshal", "other-grammar", "not-code"],
)
def test_a_damaged_or_foreign_cache_file_is_not_used(tmp_path, valid_file, damage):
    from pyenvc.syntax import parser

    inputs = parser._inputs()
    path = tmp_path / "parser.bin"
    path.write_bytes(valid_file)
    kept = parser._read_standalone(str(path), inputs)
    assert kept is not None and kept[0].parse(parser.lexer.scan("FROM a\n"), start="start") == parser.parse("FROM a\n")
    path.write_bytes(damage(valid_file))
    assert parser._read_standalone(str(path), inputs) is None
    path.write_bytes(_payload(inputs, compile("x = 1", "x", "exec")))  # whole, but no parser
    assert parser._read_standalone(str(path), inputs) is None


def test_a_file_that_records_a_failed_generation_makes_lark_parse(tmp_path, expected):
    from pyenvc.syntax import parser

    folder = tmp_path / "pyenvc"
    folder.mkdir()
    inputs = parser._inputs()
    Path(parser._cache_path(str(folder), inputs)).write_bytes(_payload(inputs, None))
    assert run(tmp_path) == (expected, True)
    assert run(tmp_path) == (expected, True)  # not tried again for the same inputs


def test_a_cache_folder_that_cannot_be_written_still_parses(tmp_path, expected):
    folder = tmp_path / "pyenvc"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert run(tmp_path) == (expected, True)
        assert not parser_files(tmp_path)
    finally:
        folder.chmod(0o700)


def test_the_modules_the_standalone_parser_never_uses_for_a_parse_are_there_on_first_use():
    from pyenvc.syntax import parser

    used = parser.grammar()
    if type(used).__module__ != parser._MODULE:
        pytest.skip("Lark itself parses here (no usable cache folder)")
    namespace = type(used).parse.__globals__  # the generated module's
    assert namespace["pickle"].loads(namespace["pickle"].dumps([1])) == [1]
    assert namespace["base64"].b64decode(namespace["base64"].b64encode(b"x")) == b"x"

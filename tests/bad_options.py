"""The caller's mistakes the library refuses (tests/lowering/test_options.py) and the command
line refuses in one line (tests/commands/test_arguments.py), listed once for both; and a fake
option, added to a copy of the options table to show that everything is derived from it."""

from __future__ import annotations

import pathlib

from pyenvc.lowering.options import Option

# (keyword, value): each a TypeError naming the keyword
TYPE_ERRORS = [
    ("path", 1),
    ("path", b"Dockerfile"),
    ("context", 1),
    ("context", b"."),
    ("build_args", [("A", "1")]),
    ("build_args", "A=1"),
    ("build_args", {"A": 1}),
    ("build_args", {1: "a"}),
    ("layout", None),
    ("layout", 1),
    ("installer", b"pip"),
    ("user", 50000),
    ("uid", "50000"),
    ("uid", True),  # a bool is not an int here
    ("uid", 1.0),
    ("home", pathlib.PurePosixPath("/home/x")),
    ("python_flavour", 1),
    ("astro", 1),
    ("astro", None),
    ("astro", "false"),
    ("runtime_images", "quay.io/me/runtime"),  # one str is not a sequence of them
    ("runtime_images", None),
    ("runtime_images", [1]),
    ("runtime_images", ["Not/A/Valid/Ref", 1]),  # the wrong type wins over the bad value before it
    ("build_args", {"A": "\0", "B": 1}),
    ("context", pathlib.PurePosixPath("/x").__class__),  # a class, not a path
    ("uv_image", None),
]

# (keyword, value, the command line's text for it or None, words the message has): ValueErrors
VALUE_ERRORS = [
    ("layout", "nested", "nested", "unknown layout 'nested', expected one of: inline, stages"),
    ("installer", "poetry", "poetry", "unknown installer 'poetry', expected one of: pip, uv"),
    ("installer", "UV", "UV", "unknown installer"),
    ("home", "relative", "relative", "invalid home 'relative'"),
    ("home", "", "", "invalid home"),
    ("home", "/", "/", "invalid home '/'"),
    ("home", "//", "//", "invalid home"),
    ("home", "/a/../b", "/a/../b", "invalid home"),
    ("home", "/a/..", "/a/..", "invalid home"),
    ("home", "/a/./b", "/a/./b", "invalid home"),
    ("home", "/a//b", "/a//b", "invalid home"),
    ("home", "/home/a b", "/home/a b", "invalid home"),
    ("home", "/home/$USER", "/home/$USER", "invalid home"),
    ("home", "/home/é", "/home/é", "invalid home"),
    ("home", "/home/a\\b", "/home/a\\b", "invalid home"),
    ("home", "/home/a\0", None, "NUL byte"),
    ("uid", -1, "-1", "invalid uid"),
    ("uid", 2**31, str(2**31), "from 0 to 2147483647"),
    ("user", "a;b", "a;b", "invalid user 'a;b'"),
    ("user", "", "", "invalid user"),
    ("user", "a b", "a b", "invalid user"),
    ("user", "a\0", None, "NUL byte"),
    ("python_flavour", "Slim-bookworm", "Slim-bookworm", "invalid python flavour"),
    ("python_flavour", "-slim", "-slim", "invalid python flavour"),
    ("python_flavour", "slim\0", None, "NUL byte"),
    ("uv_image", "a b", "a b", "invalid uv image 'a b': invalid reference format"),
    ("uv_image", "ghcr.io/Astral-sh/uv", "ghcr.io/Astral-sh/uv", "must be lowercase"),
    ("uv_image", "ghcr.io/astral-sh/uv@sha256:abc", "ghcr.io/astral-sh/uv@sha256:abc", "invalid uv image"),
    ("uv_image", "uv\0", None, "NUL byte"),
    ("runtime_images", ["Quay.io/x/Y"], "Quay.io/x/Y", "invalid runtime image"),
    ("runtime_images", [""], "", "invalid runtime image"),
    ("runtime_images", ["quay.io/ok", "x\0"], None, "NUL byte"),
    ("layout", "stages\0", None, "NUL byte"),
    ("build_args", {"A": "1\0"}, None, "NUL byte"),
    ("path", "Docker\0file", None, "NUL byte"),
    ("context", "ctx\0", None, "NUL byte"),
]

FAKE = Option("colour", str, "blue", flag="--colour", choices=("blue", "red"), help="a fake option")

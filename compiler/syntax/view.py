"""Docker's view of a parsed file: what BuildKit's parser leaves of each instruction, in the
schema of the corpus' `.buildkit.json` (cmd, flags, next, heredocs, the `Node.Dump` text, and
the parser's warnings).

In: a `Dockerfile` tree. Out: a dict; each instruction's part comes from BuildKit's own parse of
its logical line (docker/buildkit.py), kept on the node.
"""

from __future__ import annotations

from typing import Any

from pyenvc.docker import gotext
from pyenvc.docker.buildkit import Parsed
from pyenvc.syntax.tree import Dockerfile, Instruction


def _dump_node(keyword: str, flags: list, words: list, sub: Parsed | None) -> str:
    """Node.Dump for one instruction, without the surrounding parentheses."""
    out = keyword.lower()
    if flags:
        out += " " + gotext.quote_list(flags)
    if sub is not None:
        out += " (" + _dump_node(sub.command.keyword, sub.command.flags, sub.next, sub.sub) + ")"
    else:
        out += "".join(" " + gotext.quote(word) for word in words)
    return gotext.strip(out)


def _view_words(parsed: Parsed) -> list:
    """The values of the nodes in BuildKit's `Next` chain."""
    name = parsed.command.keyword.lower()
    if name == "onbuild":  # one node that holds the inner instruction, or none
        return [""] if parsed.sub is not None else []
    if name not in _KNOWN:
        return [""]  # parseIgnore leaves one empty node
    return parsed.next


_KNOWN = frozenset(
    "add arg cmd copy entrypoint env expose from healthcheck label maintainer "
    "run shell stopsignal user volume workdir".split()
)


def to_buildkit(tree: Dockerfile) -> dict:
    """Docker's view of a parsed file, in the schema of the corpus' `.buildkit.json`."""
    commands = []
    warnings = []
    dumps = []
    # BuildKit's line numbers, counted as the nodes go by (only `\n` ends a line)
    line = 1 + sum(directive.text.count("\n") for directive in tree.directives)
    for node in tree.body:
        text = node.text
        if not isinstance(node, Instruction):
            line += text.count("\n")
            continue
        parsed = node.parsed
        start_line = line
        last_line = start_line + text.count("\n", 0, len(text) - 1)  # the line of its last character
        line += text.count("\n") + sum(heredoc.text.count("\n") for heredoc in node.heredocs)
        last_text = node.heredocs[-1].text if node.heredocs else text
        end_line = line - 1 if last_text.endswith("\n") else line
        sub = parsed.sub
        words = _view_words(sub if sub is not None else parsed)
        dump = _dump_node(parsed.command.keyword, parsed.command.flags, words, sub)
        command = {
            "cmd": parsed.command.keyword,
            "sub_cmd": sub.command.keyword if sub is not None else None,
            "json": (sub if sub is not None else parsed).json,
            "original": node.logical,
            "start_line": start_line,
            "end_line": end_line,
            "flags": parsed.command.flags,
            "next": words,
            "heredocs": [
                {
                    "name": heredoc.name,
                    "file_descriptor": heredoc.file_descriptor,
                    "expand": heredoc.expand,
                    "chomp": heredoc.chomp,
                    "content": heredoc.content,
                }
                for heredoc in (node.heredocs if sub is None else ())
            ],
            "dump": dump,
        }
        if sub is not None:
            command["sub_flags"] = sub.command.flags
        commands.append(command)
        dumps.append(f"({dump})\n")
        if node.has_empty_continuation:
            warnings.append(
                {"short": "Empty continuation line found in: " + node.logical, "line": last_line}
            )
    view: dict[str, Any] = {"escape_token": tree.escape}
    directives = {d.name: d.value for d in tree.directives if d.name != "escape"}
    if directives:
        view["directives"] = directives
    if warnings:
        view["warnings"] = warnings
    view["dump"] = "".join(dumps)
    view["commands"] = commands
    return view

"""Lossless edits of a Dockerfile's text: each returns the new text, in which only the edited
words or lines differ.

In: a `Document` (document.py) and what to change. Out: the text with the change spliced in at
the spans the typed tree gives; `Document` parses it again. Nothing is pasted: a new word is
checked by the lowering's emitter rules (syntax/emitter.py) or quoted, and every edited
instruction is read back with BuildKit's rules before the edit is returned: a value BuildKit
would read differently raises `ValueError` (an `Unrepresentable`), and so does an edit the file
cannot take (a word written across a line continuation, an image written with variables).
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable, NamedTuple, Optional

from pyenvc.docker import buildkit, reference
from pyenvc.docker.shell import Unresolved, expand
from pyenvc.syntax import stages
from pyenvc.syntax.emitter import NewInstruction, Unrepresentable, check_word, render
from pyenvc.syntax.lines import join_lines
from pyenvc.syntax.parser import ParseError, parse
from pyenvc.syntax.tree import Arg, Dockerfile, Env, Instruction, Word

# `doc` parameters are document.Document, which imports this module: named, not imported.

__all__ = [
    "NewInstruction", "Unrepresentable", "insert", "remove", "remove_label", "rename_stage", "replace",
    "set_arg_default", "set_base_image", "set_label",
]

# What BuildKit accepts as a stage name (instructions/parse.go: validStageName)
_STAGE_NAME = re.compile(r"[a-z][a-z0-9\-_.]*", re.ASCII | re.IGNORECASE)
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_./:@+,%=-]+", re.ASCII)


class Edit(NamedTuple):
    """An edit's new text, and which instructions it means to change: every other instruction
    must read as before (`checked`)."""

    text: str
    touched: frozenset = frozenset()  # starts of the instructions edited in place or removed
    added: int = 0  # how many instructions it adds
    removed: int = 0  # how many it removes


def checked(doc: "Document", edit: Edit) -> Dockerfile:
    """The edited file's tree, after checking that BuildKit reads every instruction the edit did
    not mean to touch exactly as before, and no more or fewer instructions than meant."""
    try:
        tree = parse(edit.text)
    except ParseError as problem:
        raise Unrepresentable(f"the edit would make a file BuildKit rejects: {problem}") from None
    old, new = doc.instructions, tree.instructions()
    if len(new) != len(old) + edit.added - edit.removed:
        raise Unrepresentable("the edit would change how BuildKit splits the file into instructions")
    matcher = difflib.SequenceMatcher(None, [_reading(n) for n in old], [_reading(n) for n in new], autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag != "equal" and any(old[i].start not in edit.touched for i in range(i1, i2)):
            raise Unrepresentable(f"the edit would change how BuildKit reads line {_line(doc, old[i1])}")
    return tree


def _reading(node: Instruction) -> tuple:
    return (node.keyword, node.logical, tuple(h.content for h in node.heredocs))


def _line(doc: "Document", node: Instruction) -> int:
    return doc.text.count("\n", 0, node.start) + 1


def _splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, key=lambda edit: edit[0], reverse=True):
        text = text[:start] + new + text[end:]
    return text


def _written(doc: "Document", word: Word, what: str) -> tuple[int, int]:
    """The span of a word written in one piece (no continuation inside it)."""
    start, end = word.span.start, word.span.end
    if start < 0 or doc.text[start:end] != word.raw:
        raise Unrepresentable(f"{what} '{word.raw}' is written across a line continuation; edit the line by hand")
    return start, end


def _eol(doc: "Document") -> str:
    text = doc.text
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _keyword(doc: "Document", keyword: str) -> str:
    """The keyword in the file's own casing: lower case where most instructions are."""
    nodes = doc.instructions
    lower = sum(1 for node in nodes if node.keyword.islower())
    return keyword.lower() if nodes and lower * 2 > len(nodes) else keyword.upper()


def quote_value(value: str, escape: str) -> str:
    """A word that BuildKit's name=value parser keeps whole and its shell lexer reads as
    `value`: as it is when plain, else in single quotes (a quote inside closed, escaped and
    reopened)."""
    if not isinstance(value, str):
        raise TypeError(f"a value is a str, not {type(value).__name__}")
    if "\n" in value or "\r" in value or "\x00" in value:
        raise Unrepresentable(f"value {value!r} holds a line break or NUL, which no instruction line can")
    if _PLAIN_VALUE.fullmatch(value):
        return value
    quoted = "'" + value.replace("'", f"'{escape}''") + "'"
    return quoted


def _reads_as(line: str, escape: str, name: str, value: str) -> bool:
    """Whether a LABEL/ARG/ENV line gives `name` the value `value` at dispatch."""
    try:
        parsed = buildkit.parse_instruction(line, escape)
    except buildkit.BuildKitError:
        return False
    items = parsed.next
    if parsed.command.keyword.lower() == "arg":  # parseNameOrNameVal: one `name=value` word each
        pairs = [item.partition("=")[::2] for item in items]
    else:  # parseNameVal: name, value, "=" triples
        pairs = [(items[index], items[index + 1]) for index in range(0, len(items) - 2, 3)]
    for key, raw in reversed(pairs):  # the last one of a name is what BuildKit keeps
        if key == name:
            try:
                return expand(raw, {}, escape, unset="") == value
            except Unresolved:
                return False
    return False


def _line_of(doc: "Document", node: Instruction, text: str) -> str:
    """The logical line of the instruction at `node`'s place in the edited `text`."""
    end = node.start + len(node.text) + (len(text) - len(doc.text))
    return join_lines(text[node.start:end], node.escape).text


# -- FROM -------------------------------------------------------------------------------------


def split_reference(word: str) -> tuple[str, Optional[str], Optional[str]]:
    """name, tag, digest of an image reference as written (`:tag` only after the last `/`)."""
    name, _, digest = word.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :], digest or None
    return name, None, digest or None


def set_base_image(doc: "Document", stage: stages.Stage, image: Optional[str], tag: Optional[str], digest: Optional[str]) -> Edit:
    word = stage.base
    if word is None:
        raise Unrepresentable(f"stage {stage.index} has a FROM without an image")
    if image is None and tag is None and digest is None:
        raise ValueError("give an image, a tag or a digest")
    if image is None:
        if "$" in word.value:
            raise Unrepresentable(f"the image '{word.raw}' is written with variables: set the ARG's default instead")
        name, old_tag, old_digest = split_reference(word.value)
        new_tag = old_tag if tag is None else (tag or None)
        new_digest = old_digest if digest is None else (digest or None)
        image = name + (f":{new_tag}" if new_tag else "") + (f"@{new_digest}" if new_digest else "")
    reference.parse(image)  # InvalidReference (a ValueError) for what Docker would refuse
    check_word(image, "image", doc.tree.escape)
    if image.startswith("-"):
        raise Unrepresentable(f"image '{image}' would be read as a flag")
    start, end = _written(doc, word, "the image")
    text = _splice(doc.text, [(start, end, image)])
    words = buildkit.parse_instruction(_line_of(doc, stage.node, text), doc.tree.escape).next
    if not words or words[0] != image:
        raise Unrepresentable(f"BuildKit would not read the FROM as '{image}'")
    return Edit(text, frozenset({stage.node.start}))


# -- LABEL ------------------------------------------------------------------------------------


def _pairs(stage: stages.Stage, command: str, name: str) -> list:
    return [(node, pair) for node in stage.instructions if isinstance(node, Env) and node.command == command
            for pair in node.pairs if pair.name.value == name]


def set_label(doc: "Document", stage: stages.Stage, name: str, value: str) -> Edit:
    return _set_pair(doc, stage, "LABEL", name, value)


def set_env(doc: "Document", stage: stages.Stage, name: str, value: str) -> Edit:
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name, re.ASCII):
        raise ValueError(f"invalid ENV name {name!r}: a letter or '_', then letters, digits or '_'")
    return _set_pair(doc, stage, "ENV", name, value)


def _set_pair(doc: "Document", stage: stages.Stage, keyword: str, name: str, value: str) -> Edit:
    """A LABEL's or ENV's `name` set to `value`: the last pair of that name in the stage, in
    place; else a new line at the end of the stage."""
    escape = doc.tree.escape
    if not isinstance(name, str) or not name:
        raise ValueError(f"{keyword} needs a name")
    check_word(name, f"{keyword} name", escape)
    if "=" in name:
        raise Unrepresentable(f"{keyword} name '{name}' holds '='")
    written = quote_value(value, escape)
    found = _pairs(stage, keyword.lower(), name)
    if found:
        node, pair = found[-1]
        if pair.value is None:
            raise Unrepresentable(f"{keyword} '{name}' has no value to replace")
        start, end = _written(doc, pair.value, f"the {keyword} value")
        edit = Edit(_splice(doc.text, [(start, end, written)]), frozenset({node.start}))
        line = _line_of(doc, node, edit.text)
    else:
        line = f"{_keyword(doc, keyword)} {name}={written}"
        edit = Edit(_append_to_stage(doc, stage, line), added=1)
    if not _reads_as(line, escape, name, value):
        raise Unrepresentable(f"BuildKit would not read {keyword} '{name}' as {value!r}")
    return edit


def remove_label(doc: "Document", stage: stages.Stage, name: str) -> Edit:
    found = _pairs(stage, "label", name)
    if not found:
        raise KeyError(f"stage {stage.index} sets no label '{name}'")
    by_node: dict[int, tuple[Instruction, list]] = {}
    for node, pair in found:
        by_node.setdefault(node.start, (node, []))[1].append(pair)
    splices, touched, removed = [], set(), 0
    for node, pairs in by_node.values():
        touched.add(node.start)
        kept = [pair for pair in node.pairs if pair not in pairs]
        if not kept:
            splices.append((node.start, node.end, ""))
            removed += 1
        else:  # the instruction again, on one line, through the emitter, with the other pairs as written
            line = _label_line(node, kept, doc)
            ending = node.text[len(node.text.rstrip("\r\n")):]
            splices.append((node.start, node.start + len(node.text), line + ending))
    return Edit(_splice(doc.text, splices), frozenset(touched), removed=removed)


def _pair_raw(pair) -> str:
    if pair.legacy:
        raise Unrepresentable("the legacy `LABEL name value` form holds one pair only; edit it by hand")
    return f"{pair.name.raw}={pair.value.raw}" if pair.value is not None else pair.name.raw


def _label_line(node: Instruction, kept: list, doc: "Document") -> str:
    """The LABEL with only the `kept` pairs, on one line, each pair as the user wrote it."""
    line = " ".join([node.keyword, *(_pair_raw(pair) for pair in kept)])
    parsed = buildkit.parse_instruction(line, doc.tree.escape).next
    expected = [item for pair in kept for item in (pair.name.value, pair.value.value if pair.value else "", "=")]
    if parsed != expected:
        raise Unrepresentable(f"BuildKit would not read the LABEL at line {_line(doc, node)} as meant without the pair")
    return line


# -- ARG --------------------------------------------------------------------------------------


def set_arg_default(doc: "Document", stage: Optional[stages.Stage], name: str, value: str) -> Edit:
    escape = doc.tree.escape
    if stage is None:
        first_from = doc.stages[0].node.start if doc.stages else len(doc.text)
        nodes = [node for node in doc.instructions if node.start < first_from]
    else:
        nodes = list(stage.instructions)
    found = [(node, pair) for node in nodes if isinstance(node, Arg) and node.command == "arg"
             for pair in node.pairs if pair.name.value == name]
    if not found:
        where = "before the first FROM" if stage is None else f"in stage {stage.index}"
        raise KeyError(f"no ARG {name} is declared {where}")
    node, pair = found[-1]
    written = quote_value(value, escape)
    if pair.value is None:
        _, end = _written(doc, pair.name, "the ARG name")
        text = _splice(doc.text, [(end, end, f"={written}")])
    else:
        start, end = _written(doc, pair.value, "the ARG default")
        text = _splice(doc.text, [(start, end, written)])
    if not _reads_as(_line_of(doc, node, text), escape, name, value):
        raise Unrepresentable(f"BuildKit would not read ARG {name}'s default as {value!r}")
    return Edit(text, frozenset({node.start}))


# -- stage names ------------------------------------------------------------------------------


def rename_stage(doc: "Document", stage: stages.Stage, new_name: str) -> Edit:
    if not isinstance(new_name, str) or not _STAGE_NAME.fullmatch(new_name):
        raise ValueError(f"invalid stage name '{new_name}': a letter, then letters, digits, '-', '_' or '.'")
    new = new_name.lower()
    taken = [other for other in doc.stages if other.name == new and other is not stage]
    if taken:
        raise ValueError(f"stage {taken[0].index} is already named '{new}'")
    splices, touched = [], {stage.node.start}
    if stage.node.stage_name is not None:
        start, end = _written(doc, stage.node.stage_name, "the stage name")
        splices.append((start, end, new))
    else:
        word = stage.base
        if word is None or len(stage.node.words) != 1:
            raise Unrepresentable(f"the FROM of stage {stage.index} is not `FROM image`; add the name by hand")
        _, end = _written(doc, word, "the image")
        splices.append((end, end, f" {_keyword(doc, 'AS')} {new}"))
    for child in doc.stages:  # FROM <this stage>
        if child.parent is stage and child.base is not None:
            if child.base.value.lower() != stage.name:
                raise Unrepresentable(f"stage {child.index} names this stage through a variable: '{child.base.raw}'")
            start, end = _written(doc, child.base, "the image")
            splices.append((start, end, new))
            touched.add(child.node.start)
    for ref in doc.references:
        if ref.stage is stage and not (ref.kind == "copy" and ref.value.lstrip("+-").isdigit()):
            if ref.span.start < 0:
                raise Unrepresentable(f"the reference '{ref.value}' is not written plainly; edit it by hand")
            splices.append((ref.span.start, ref.span.end, new))
            touched.add(ref.node.start)
    return Edit(_splice(doc.text, splices), frozenset(touched))


# -- whole instructions -----------------------------------------------------------------------


def _rendered(doc: "Document", instruction: NewInstruction) -> str:
    if not isinstance(instruction, NewInstruction):
        raise TypeError(f"an instruction is a pyenvc.tooling.NewInstruction, not {type(instruction).__name__}")
    if instruction.keyword.lower() == "from":
        raise Unrepresentable("insert a stage's FROM by editing the text: it changes every stage index after it")
    return render(instruction._replace(keyword=_keyword(doc, instruction.keyword)), doc.tree.escape)


def _append_to_stage(doc: "Document", stage: stages.Stage, line: str) -> str:
    last = stage.instructions[-1] if stage.instructions else stage.node
    return _insert_line(doc, last.end, line)


def _insert_line(doc: "Document", offset: int, line: str) -> str:
    """`line` as a line of its own at `offset`, the start or end of an instruction."""
    text, eol = doc.text, _eol(doc)
    if offset > 0 and not text[:offset].endswith("\n"):
        return text[:offset] + eol + line + text[offset:]
    return text[:offset] + line + eol + text[offset:]


def insert(doc: "Document", index: int, instruction: NewInstruction) -> Edit:
    nodes = doc.instructions
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError("index is an int")
    if not 0 <= index <= len(nodes):
        raise IndexError(f"index {index} is outside 0..{len(nodes)}")
    line = _rendered(doc, instruction)
    if index == 0 and instruction.keyword.lower() != "arg":
        raise Unrepresentable("only ARG may come before the first FROM")
    offset = nodes[index].start if index < len(nodes) else nodes[-1].end
    return Edit(_insert_line(doc, offset, line), added=1)


def replace(doc: "Document", node: Instruction, instruction: NewInstruction) -> Edit:
    line = _rendered(doc, instruction)
    _check_node(doc, node)
    if node.command == "from":
        raise Unrepresentable("a FROM is edited with with_base_image or with_stage_renamed")
    ending = node.text[len(node.text.rstrip("\r\n")):]
    return Edit(doc.text[:node.start] + line + ending + doc.text[node.end:], frozenset({node.start}))


def remove(doc: "Document", node: Instruction) -> Edit:
    _check_node(doc, node)
    if node.command == "from":
        raise Unrepresentable("removing a FROM merges two stages; edit the text by hand")
    return Edit(doc.text[:node.start] + doc.text[node.end:], frozenset({node.start}), removed=1)


def _check_node(doc: "Document", node: Instruction) -> None:
    if not any(other.start == node.start and other == node for other in doc.instructions):
        raise KeyError("the instruction is not in this document")

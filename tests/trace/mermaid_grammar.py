"""A checker for the subset of Mermaid ``sequenceDiagram`` syntax ndisemu writes.

Written from mermaid's own grammar (packages/mermaid/src/diagrams/sequence/parser/
sequenceDiagram.jison, as built into mermaid 11: the lexer's rules for actors, arrows, the
message text ``:[^#\\n;]*`` and the block keywords) so the test suite can check every window
without a browser.  benchmarks/render_windows.py renders the same windows with the real library
in Chromium; both must accept them.

``parse(text)`` returns a ``Diagram`` or raises ``MermaidSyntaxError`` naming the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

#: Arrows of the grammar (SOLID_ARROW ... DOTTED_POINT), longest first so "-->>" wins "->".
ARROWS = ("<<-->>", "<<->>", "-->>", "->>", "-->", "->", "--x", "-x", "--)", "-)")
#: Words the lexer takes as keywords; a participant id may not be one.
KEYWORDS = frozenset({"end", "loop", "rect", "opt", "alt", "else", "par", "and", "critical",
                      "option", "break", "note", "over", "participant", "actor", "as", "box",
                      "create", "destroy", "activate", "deactivate", "autonumber", "title",
                      "links", "link", "properties", "details", "off"})  # fmt: skip
BLOCKS = ("loop", "opt", "alt", "par", "critical", "break", "rect", "box")
#: What may follow a block keyword before ``end`` inside it.
BRANCHES = {"alt": "else", "par": "and", "critical": "option"}
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
#: Text after ':' in a message or note: no raw ';' or '#' (they end a statement or start a
#: comment) except in an entity such as '#35;' (mermaid encodes those before it parses).
TEXT = re.compile(r"(?:[^#;\n]|#[0-9]+;|#[A-Za-z]+;)*")
COLOUR = re.compile(r"rgba?\(\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*(,\s*[0-9.]+\s*)?\)")


_MESSAGE = re.compile(
    rf"({IDENT})\s*({'|'.join(re.escape(a) for a in ARROWS)})\s*([+-]?)({IDENT})\s*:(.*)"
)


class MermaidSyntaxError(ValueError):
    pass


@dataclass
class Message:
    line: int
    src: str
    arrow: str
    dst: str
    text: str
    #: the blocks (keyword, label) it is nested in, outermost first
    blocks: tuple[tuple[str, str], ...]


@dataclass
class Note:
    line: int
    actors: tuple[str, ...]
    text: str
    blocks: tuple[tuple[str, str], ...]


@dataclass
class Diagram:
    participants: dict[str, str] = field(default_factory=dict)  # id -> alias
    messages: list[Message] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    blocks: list[tuple[str, str]] = field(default_factory=list)
    autonumber: bool = False
    config: dict[str, object] = field(default_factory=dict)


def parse(text: str) -> Diagram:
    diagram = Diagram()
    stack: list[tuple[str, str]] = []
    header = False

    def fail(number: int, why: str, line: str) -> None:
        raise MermaidSyntaxError(f"line {number}: {why}: {line!r}")

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("%%{"):
            if header or not line.endswith("}%%"):
                fail(number, "a directive must come first and end with }%%", line)
            body = line[3:-3].strip()
            if not body.startswith("init:"):
                fail(number, "only init directives are written", line)
            try:
                config = json.loads(body[len("init:") :])
            except json.JSONDecodeError as exc:
                fail(number, f"the init directive is not JSON ({exc.msg})", line)
            diagram.config.update(config)
            continue
        if line.startswith("%%"):
            continue
        if not header:
            if line != "sequenceDiagram":
                fail(number, "the diagram must start with sequenceDiagram", line)
            header = True
            continue
        words = line.split(None, 1)
        keyword = words[0].lower()
        rest = words[1] if len(words) > 1 else ""
        if keyword == "autonumber":
            diagram.autonumber = True
        elif keyword == "participant":
            match = re.fullmatch(rf"({IDENT})(?:\s+as\s+(.+))?", rest)
            if not match or match.group(1).lower() in KEYWORDS:
                fail(number, "participant needs an id (not a keyword) and an optional alias", line)
            assert match is not None
            pid, alias = match.group(1), match.group(2) or match.group(1)
            if pid in diagram.participants:
                fail(number, f"participant {pid} declared twice", line)
            if diagram.messages or diagram.notes:
                fail(number, "participants are declared before the first message", line)
            if not TEXT.fullmatch(alias):
                fail(number, "alias holds ';' or '#'", line)
            diagram.participants[pid] = alias
        elif keyword == "note":
            match = re.fullmatch(
                rf"(over|left of|right of)\s+({IDENT})(?:\s*,\s*({IDENT}))?\s*:(.*)", rest,
                flags=re.IGNORECASE,
            )  # fmt: skip
            if not match:
                fail(number, "a note is 'Note over|left of|right of A[,B]: text'", line)
            assert match is not None
            actors = tuple(a for a in (match.group(2), match.group(3)) if a)
            _known(diagram, actors, number, line)
            if match.group(1).lower() != "over" and len(actors) > 1:
                fail(number, "only 'over' spans two participants", line)
            note_text = match.group(4).strip()
            if not note_text or not TEXT.fullmatch(note_text):
                fail(number, "note text is empty or holds a raw ';' or '#'", line)
            diagram.notes.append(Note(number, actors, note_text, tuple(stack)))
        elif keyword in BLOCKS:
            if keyword == "rect" and not COLOUR.fullmatch(rest.strip()):
                fail(number, "rect takes rgb(r, g, b) or rgba(r, g, b, a)", line)
            if keyword != "rect" and not TEXT.fullmatch(rest):
                fail(number, "block label holds a raw ';' or '#'", line)
            stack.append((keyword, rest))
            diagram.blocks.append((keyword, rest))
        elif keyword in ("else", "and", "option"):
            if not stack or BRANCHES.get(stack[-1][0]) != keyword:
                fail(number, f"{keyword} outside its block", line)
        elif keyword == "end" and not rest:
            if not stack:
                fail(number, "end without a block", line)
            stack.pop()
        else:
            diagram.messages.append(_message(diagram, line, number, tuple(stack)))
    if not header:
        raise MermaidSyntaxError("no sequenceDiagram line")
    if stack:
        raise MermaidSyntaxError(f"{len(stack)} block(s) not closed: {stack}")
    return diagram


def _message(
    diagram: Diagram, line: str, number: int, blocks: tuple[tuple[str, str], ...]
) -> Message:
    match = _MESSAGE.fullmatch(line)
    if not match:
        raise MermaidSyntaxError(f"line {number}: not a statement of the grammar: {line!r}")
    src, arrow, _activation, dst, text = match.groups()
    _known(diagram, (src, dst), number, line)
    text = text.strip()
    if not text or not TEXT.fullmatch(text):
        raise MermaidSyntaxError(f"line {number}: message text empty or with ';' or '#': {line!r}")
    return Message(number, src, arrow, dst, text, blocks)


def _known(diagram: Diagram, actors: tuple[str, ...], number: int, line: str) -> None:
    for actor in actors:
        if actor not in diagram.participants:
            raise MermaidSyntaxError(f"line {number}: {actor} was never declared: {line!r}")

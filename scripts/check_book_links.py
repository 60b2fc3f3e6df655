#!/usr/bin/env python3
"""Checks the book's links and includes, offline (standard library only).

For every Markdown file of book/src:
- every chapter of SUMMARY.md exists, and every file of book/src is a chapter;
- every relative link (inline, image, reference definition, HTML href/src)
  points to a file inside book/src that exists, and its #anchor to a heading
  (or an explicit id) of the target chapter; links that leave book/src are
  refused, since the built book does not contain their targets;
- every {{#include}}, {{#rustdoc_include}} and {{#playground}} names a file
  that exists, and its anchor (ANCHOR: name ... ANCHOR_END: name in that file)
  or line range is there.

External links (http:, https:, mailto:) are not fetched. Exits 1 and lists the
problems (file:line: message) when there is any.

Usage: scripts/check_book_links.py [BOOK_DIR]   (default: book/ beside scripts/)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
INCLUDE = re.compile(
    r"(?P<escape>\\?)\{\{\s*#(?P<kind>include|rustdoc_include|playground)\s+(?P<arg>[^}\s]+)[^}]*\}\}"
)
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(?P<target>\S+?)>?(?:\s+.*)?$")
HTML_ATTR = re.compile(r"""\b(?:href|src)\s*=\s*["'](?P<target>[^"']*)["']""")
HTML_ID = re.compile(r"""\bid\s*=\s*["'](?P<id>[^"']+)["']""")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
HEADING_ATTR = re.compile(r"\s*\{(?P<attrs>[^}]*)\}\s*$")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
ANCHOR_START = re.compile(r"ANCHOR:\s*(?P<name>[\w-]+)")
ANCHOR_END = re.compile(r"ANCHOR_END:\s*(?P<name>[\w-]+)")


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: Path, line: int, message: str) -> None:
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            pass
        self.items.append(f"{path}:{line}: {message}")


def split_code(lines: list[str]) -> list[tuple[int, str, bool]]:
    """(line number, text, inside a fenced code block) for each line."""
    out = []
    fence: str | None = None
    for number, line in enumerate(lines, 1):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            out.append((number, line, True))
        elif fence is not None:
            out.append((number, line, True))
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence) \
                    and line.strip() == match.group(1):
                fence = None
        else:
            out.append((number, line, False))
    return out


def strip_inline_code(line: str) -> str:
    return re.sub(r"(`+).*?\1", "", line)


def heading_id(text: str) -> str:
    """The id mdBook gives a heading: its text, lower case, white space as
    dashes, only letters, digits, `-` and `_` kept."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links: their text
    text = re.sub(r"<[^>]+>", "", text)  # inline HTML tags
    text = text.replace("`", "").replace("*", "")
    out = []
    for ch in text:
        if ch.isalnum() or ch in "_-":
            out.append(ch.lower())
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def anchors_of(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    if path in cache:
        return cache[path]
    ids: set[str] = set()
    counts: dict[str, int] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    for _, line, in_code in split_code(lines):
        if in_code:
            continue
        for match in HTML_ID.finditer(strip_inline_code(line)):
            ids.add(match.group("id"))
        heading = HEADING.match(line)
        if not heading:
            continue
        text = heading.group("text")
        explicit = HEADING_ATTR.search(text)
        if explicit:
            text = text[: explicit.start()]
            for attr in explicit.group("attrs").split():
                if attr.startswith("#"):
                    ids.add(attr[1:])
        base = heading_id(text)
        n = counts.get(base, 0)
        counts[base] = n + 1
        ids.add(base if n == 0 else f"{base}-{n}")
    cache[path] = ids
    return ids


def check_include(md: Path, number: int, kind: str, arg: str, problems: Problems) -> None:
    parts = arg.split(":")
    target = (md.parent / parts[0]).resolve()
    if not target.is_file():
        problems.add(md, number, f"{{{{#{kind}}}}}: no file {parts[0]} (resolved to {target})")
        return
    selector = parts[1:]
    if not selector or selector == [""]:
        return
    lines = target.read_text(encoding="utf-8").splitlines()
    if len(selector) == 1 and not selector[0].isdigit():
        name = selector[0]
        starts = [i for i, l in enumerate(lines) for m in ANCHOR_START.finditer(l) if m.group("name") == name]
        ends = [i for i, l in enumerate(lines) for m in ANCHOR_END.finditer(l) if m.group("name") == name]
        if not starts:
            problems.add(md, number, f"{{{{#{kind}}}}}: no `ANCHOR: {name}` in {parts[0]}")
        elif not ends:
            problems.add(md, number, f"{{{{#{kind}}}}}: no `ANCHOR_END: {name}` in {parts[0]}")
        elif len(starts) > 1 or len(ends) > 1:
            problems.add(md, number, f"{{{{#{kind}}}}}: anchor {name} appears more than once in {parts[0]}")
        elif ends[0] <= starts[0] + 1:
            problems.add(md, number, f"{{{{#{kind}}}}}: anchor {name} in {parts[0]} is empty or ends before it starts")
        return
    try:
        bounds = [int(s) if s else None for s in selector[:2]]
    except ValueError:
        problems.add(md, number, f"{{{{#{kind}}}}}: cannot read the selector {':'.join(selector)}")
        return
    for bound in bounds:
        if bound is not None and not 1 <= bound <= len(lines):
            problems.add(md, number, f"{{{{#{kind}}}}}: line {bound} is outside {parts[0]} ({len(lines)} lines)")


def check_link(md: Path, number: int, target: str, src: Path, cache: dict[Path, set[str]],
               problems: Problems) -> bool:
    """Checks one link; returns whether it was a local link (counted)."""
    if not target or SCHEME.match(target) or target.startswith("//"):
        return False
    path_part, _, anchor = target.partition("#")
    path_part = path_part.split("?", 1)[0]
    if path_part:
        resolved = (md.parent / path_part).resolve()
        if src not in resolved.parents and resolved != src:
            problems.add(md, number, f"link {target!r} leaves book/src: the built book has no such page "
                                     "(link the repository by URL instead)")
            return True
        if resolved.suffix == ".html" and resolved.with_suffix(".md").is_file():
            resolved = resolved.with_suffix(".md")
        if not resolved.exists():
            problems.add(md, number, f"link {target!r}: no file {resolved.relative_to(src)}")
            return True
    else:
        resolved = md
    if anchor:
        if resolved.suffix != ".md":
            problems.add(md, number, f"link {target!r}: an anchor into a file that is not a chapter")
        elif anchor not in anchors_of(resolved, cache):
            problems.add(md, number, f"link {target!r}: no heading or id {anchor!r} in {resolved.relative_to(src)}")
    return True


def summary_chapters(summary: Path, problems: Problems) -> set[Path]:
    chapters = set()
    for number, line, in_code in split_code(summary.read_text(encoding="utf-8").splitlines()):
        if in_code:
            continue
        for match in INLINE_LINK.finditer(strip_inline_code(line)):
            target = match.group("target")
            if not target:
                continue  # a draft chapter
            if SCHEME.match(target):
                problems.add(summary, number, f"SUMMARY.md links {target!r}: chapters must be files")
                continue
            path = (summary.parent / target.partition("#")[0]).resolve()
            if not path.is_file():
                problems.add(summary, number, f"chapter {target!r} does not exist")
            chapters.add(path)
    return chapters


def main() -> int:
    book = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "book"
    src = (book / "src").resolve()
    summary = src / "SUMMARY.md"
    problems = Problems()
    if not summary.is_file():
        print(f"no {summary}", file=sys.stderr)
        return 1

    chapters = summary_chapters(summary, problems)
    pages = sorted(src.rglob("*.md"))
    for page in pages:
        if page != summary and page.resolve() not in chapters:
            problems.add(page, 1, "not in SUMMARY.md: mdBook would not build it")

    cache: dict[Path, set[str]] = {}
    links = includes = 0
    for page in pages:
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line, in_code in split_code(lines):
            for match in INCLUDE.finditer(line):
                if match.group("escape"):
                    continue
                includes += 1
                check_include(page, number, match.group("kind"), match.group("arg"), problems)
            if in_code or page == summary:
                continue  # SUMMARY.md's links are the chapters, checked above
            text = strip_inline_code(line)
            targets = [m.group("target") for m in INLINE_LINK.finditer(text)]
            ref = REF_DEF.match(text)
            if ref:
                targets.append(ref.group("target"))
            targets += [m.group("target") for m in HTML_ATTR.finditer(text)]
            for target in targets:
                if check_link(page.resolve(), number, target, src, cache, problems):
                    links += 1

    for problem in problems.items:
        print(problem)
    status = "FAILED" if problems.items else "ok"
    print(f"book links: {status}: {len(pages)} pages, {links} local links, {includes} includes, "
          f"{len(problems.items)} problem(s)")
    return 1 if problems.items else 0


if __name__ == "__main__":
    sys.exit(main())

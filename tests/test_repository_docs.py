"""The repository stands alone and its documents stay true: no file outside it is referenced,
and every setting is in the README's table (the routes: tests/http/test_openapi_document.py)."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The workplace's own files by path or by name (the repository's iamport notes are docs/iamport.md,
# not the workplace's iamport-v1.md, so that a name never sends a newcomer outside).
OUTSIDE = re.compile(
    r"\.\./shared|shared/(docs|reference|seed)|\.\./seed"
    r"|\b(spec|house-style|iamport-v1)\.md\b"
)
# The sandbox tests read iamport's published swagger when the workplace provides it (an optional
# test input, skipped without it, named by DOLGO_IAMPORT_SWAGGER); nothing else may look outside.
ALLOWED = {"tests/sandbox/swagger.py", "tests/test_repository_docs.py"}
TEXT = (".py", ".md", ".toml", ".js", ".html", ".css", ".yaml", ".yml", ".ini", ".mako", "")


def tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    return [p for p in out.splitlines() if Path(p).suffix in TEXT and (REPO / p).is_file()]


def test_no_file_refers_outside_the_repository() -> None:
    offenders = [
        f"{path}:{n}: {line.strip()}"
        for path in tracked()
        if path not in ALLOWED
        for n, line in enumerate((REPO / path).read_text(errors="replace").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    read = set()
    for path in tracked():
        if path.startswith("adapters/") and path.endswith(".py"):
            read |= set(re.findall(r'"(DOLGO_[A-Z0-9_]+)"', (REPO / path).read_text()))
    assert len(read) > 20
    missing = sorted(name for name in read if f"`{name}`" not in readme)
    assert missing == [], "add these to README.md's settings table"


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
NAMED_DOC = re.compile(r"\bdocs/[\w./-]+\.md\b")


def test_every_document_named_is_in_the_repository() -> None:
    """Markdown links in documents, and docs/….md named anywhere, point at files that exist."""
    missing = []
    for path in tracked():
        text = (REPO / path).read_text(errors="replace")
        targets = [REPO / t for t in NAMED_DOC.findall(text)]
        if path.endswith(".md"):
            targets += [(REPO / path).parent / t for t in LINK.findall(text) if "://" not in t]
        missing += [f"{path} -> {t.relative_to(REPO)}" for t in targets if not t.exists()]
    assert missing == []

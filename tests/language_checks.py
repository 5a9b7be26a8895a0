"""What the French-completeness tests look for: text a template writes outside gettext, and
English sentences in a page meant to be French."""
import re
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Words that only English uses (never a French word or a code too: "a", "on", "or", "an", "me", "us", "no" are left out).
ENGLISH_WORDS = frozenset(["the", "and", "your", "you", "is", "are", "of", "to", "for", "with", "this", "that", "these", "those", "by", "be", "has", "have", "was", "were", "will", "not", "been", "from", "which", "there", "their", "please", "here", "yet", "any", "all", "must", "can", "cannot", "should", "would", "could", "when", "what", "who", "how", "our", "we", "they", "them", "it", "its", "into", "than", "then", "only", "been", "being", "about", "after", "before", "because", "while", "where", "shall", "may", "might", "does", "did", "done", "each", "other", "some", "such", "very", "more", "most", "yes", "my", "she", "his", "her"])
# Visible text that is the same in both languages (proper names, codes, abbreviations).
SAME_IN_BOTH = re.compile(r"^[\W\d_]*$|^(?:[A-Z0-9][A-Z0-9.\-/]*|CSV|PDF|API|JSON|OK|UTC)$")
SKIP_ELEMENTS = {"script", "style"}
TEXT_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label", "aria-description")
# Jinja: {% trans %} blocks (gettext already), expressions, statements, comments.
JINJA = re.compile(r"{%-?\s*trans\b.*?endtrans\s*-?%}|{{.*?}}|{%.*?%}|{#.*?#}", re.S)


class _Visible(HTMLParser):
    """Collects visible text and readable attributes, each with the language in force
    (the nearest ``lang``); text inside an element with an explicit ``lang`` other than
    the page's counts as that language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, page_lang: str | None):
        super().__init__(convert_charrefs=True)
        self.stack = [(None, page_lang)]
        self.found: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        lang = attrs.get("lang") or self.stack[-1][1]
        for name in TEXT_ATTRIBUTES:
            if attrs.get(name):
                self.found.append((attrs[name], lang))
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.found.append((attrs["value"], lang))
        if tag not in self.VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        tag, lang = self.stack[-1]
        if tag in SKIP_ELEMENTS or not data.strip():
            return
        self.found.append((" ".join(data.split()), lang))


def visible_text(html: str, page_lang: str | None = None) -> list[tuple[str, str | None]]:
    parser = _Visible(page_lang)
    parser.feed(html)
    return parser.found


def english_sentences(html: str) -> list[str]:
    """Pieces of visible text in a French page that read as English: two or more words
    only English uses. Text marked ``lang="en"`` is English on purpose."""
    bad = []
    for text, lang in visible_text(html, "fr"):
        if lang and not lang.startswith("fr"):
            continue
        # Codes (NOT_ELIGIBLE_CATEGORY, US-2026-…) and addresses are the same in both.
        text = re.sub(r"\S+://\S+|\S+@\S+|\b[A-Z0-9][A-Z0-9_-]+\b", " ", text)
        words = re.findall(r"[A-Za-z']+", text.lower())
        if sum(word in ENGLISH_WORDS for word in words) >= 2:
            bad.append(text)
    return bad


def untranslated_template_text(path: Path) -> list[str]:
    """Literal words a template shows without gettext. Jinja expressions are blanked out
    (what they print is checked on the rendered pages); text in an element that carries its
    own ``lang`` is deliberately in that language."""
    source = path.read_text(encoding="utf-8")
    if path.suffix == ".txt":
        chunks = [(chunk.strip(), None) for chunk in JINJA.sub("\n", source).splitlines()]
    else:
        chunks = visible_text(JINJA.sub(" ", source), None)
    return [text for text, lang in chunks
            if lang is None and re.search(r"[A-Za-zÀ-ÿ]{2,}", text)
            and not all(SAME_IN_BOTH.match(word) for word in text.split())]


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in (".html", ".txt"))

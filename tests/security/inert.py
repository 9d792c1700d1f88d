"""Checks that a document shows payloads as text and carries nothing that would run.

`dangers_in_html` parses a page with the standard library's HTML parser, as a browser would
tokenise it, and lists every construct that could run script or navigate to it: an `on…`
attribute, a `javascript:`/`vbscript:`/`data:text/html` URL in any URL-bearing attribute, an
inline script that is not the page's own, `srcdoc`, frames, objects, embeds, `<base>`, a
`<meta>` refresh, and `javascript:` or `expression(` in styles. `shown_text` is the page's
text as a reader sees it (character references decoded), to check payloads appear literally.
"""

import re
from html.parser import HTMLParser

URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "data", "background", "poster",
    "codebase", "cite", "longdesc", "usemap", "dynsrc", "lowsrc", "ping", "manifest",
}  # fmt: skip
FORBIDDEN_TAGS = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "isindex"}
DANGEROUS_SCHEME = re.compile(r"^(javascript|vbscript|livescript|data:text/html)", re.IGNORECASE)
# Browsers ignore ASCII white space and control characters inside a URL's scheme.
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20]+")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dangers: list[str] = []
        self.text: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)
        if tag in ("script", "style"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            if re.search(r"alert\(|__xss|evil\.example", data):
                self.dangers.append(f"inline script runs a payload: {data[:80]!r}")
            return
        if self.stack and self.stack[-1] == "style":
            if re.search(r"javascript:|expression\(|@import", data, re.IGNORECASE):
                self.dangers.append(f"style element carries a payload: {data[:80]!r}")
            return
        self.text.append(data)

    def _check(self, tag, attrs):
        if tag in FORBIDDEN_TAGS:
            self.dangers.append(f"<{tag}> element")
        values = dict(attrs)
        if tag == "script":
            source = values.get("src") or ""
            if source and not source.startswith("/static/"):
                self.dangers.append(f"script from {source!r}")
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.dangers.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.dangers.append(f"<{tag} {name}=…> event handler")
            if name == "srcdoc":
                self.dangers.append(f"<{tag} srcdoc=…>")
            if name in URL_ATTRIBUTES and DANGEROUS_SCHEME.match(IGNORED_IN_SCHEME.sub("", value)):
                self.dangers.append(f"<{tag} {name}={value[:60]!r}>")
            if name == "style" and re.search(r"javascript:|expression\(", value, re.IGNORECASE):
                self.dangers.append(f"<{tag} style={value[:60]!r}>")


def _collect(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector


def dangers_in_html(html: str) -> list[str]:
    return _collect(html).dangers


def shown_text(html: str) -> str:
    return "".join(_collect(html).text)


def assert_inert(html: str, where: str) -> str:
    """Fail naming every dangerous construct of the page; return its text as shown."""
    collector = _collect(html)
    assert not collector.dangers, f"{where}: {collector.dangers}"
    return "".join(collector.text)

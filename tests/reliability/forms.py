"""The forms on the app's pages, read from the HTML as a browser would: where each posts, its
fields, and the values its selects, radios and checkboxes offer."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit


@dataclass
class FormField:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, file, hidden, date, number, …
    options: set[str] = field(default_factory=set)


@dataclass
class PageForm:
    action: str  # the path it posts to
    fields: dict[str, FormField] = field(default_factory=dict)

    def add(self, name: str, kind: str, value: str | None = None) -> None:
        entry = self.fields.setdefault(name, FormField(name, kind))
        if value is not None:
            entry.options.add(value)


class _FormReader(HTMLParser):
    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.forms: list[PageForm] = []
        self.current: PageForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and attributes.get("method", "get").lower() == "post":
            action = attributes.get("action") or self.page_path
            self.current = PageForm(urlsplit(action).path or self.page_path)
            self.forms.append(self.current)
        if self.current is None or ("name" not in attributes and tag != "option"):
            return
        if tag in ("input", "button"):
            kind = attributes.get("type", "text" if tag == "input" else "submit").lower()
            value = attributes.get("value") if kind in ("radio", "checkbox", "submit") else None
            self.current.add(attributes["name"], kind, value)
        elif tag == "textarea":
            self.current.add(attributes["name"], "textarea")
        elif tag == "select":
            self.select = attributes["name"]
            self.current.add(self.select, "select")
        elif tag == "option" and self.select is not None:
            self.current.add(self.select, "select", attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def forms_on(page_path: str, html: str) -> list[PageForm]:
    reader = _FormReader(page_path)
    reader.feed(html)
    return reader.forms

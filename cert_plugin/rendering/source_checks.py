"""What a template's author is told at save and in the live preview: what would otherwise pass silently.

Pure (no models): the source in, problems and notices with their line out. Three things go
wrong without a word when a template is rendered, and each is caught here before that:

* **A Django tag that is not closed** on its line (``<p>{{ learner_name </p>``, ``{% if x``, a
  ``{{ … }}`` broken across two lines): Django's lexer reads it as text, so the certificate prints
  it as typed. :func:`unclosed_tag` finds the opener and its line. An error: nobody wants that
  printed.
* **A CSS syntax error**: CSS parsers skip what they cannot read up to the next ``;`` or ``}``, so
  a missing ``}`` swallows every rule after it and the page spills over several sheets with no
  word of why. :func:`css_problem` parses the stylesheet with tinycss2 and names the first syntax
  error and its line: a block, string or comment never closed, a ``}`` closing nothing, a
  declaration without its ``:``, a missing ``;`` between two declarations, a ``;`` or text outside
  any rule. An error too.
* **An address the renderer will never fetch**: certificates are rendered without network or file
  access (``rendering/pdf.py`` resolves only ``data:`` URIs and the template's own ``asset:`` files),
  so a remote ``<img>``, a ``<link>`` stylesheet, an ``@import`` or a ``url(https://…)`` simply
  does not appear. URLs are not an error (the design says so: a template may keep them, e.g.
  while a design is ported), so :func:`notices` returns notices staff see next to the
  preview and after saving, each with its line and what to do instead.
* **An image without alt text** (``<img>`` with no or an empty ``alt``): a notice as well, found in
  the same pass over the HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import tinycss2
import tinycss2.ast
from django.template.base import Lexer, TokenType
from django.utils.translation import gettext as _

__all__ = ["SourceProblem", "TemplateNotice", "css_problem", "notices", "unclosed_tag"]


@dataclass(frozen=True)
class SourceProblem:
    """A mistake that stops a save: the plain reason and its line (of the HTML, or of the CSS)."""

    reason: str
    line: int | None = None  # 1-based line of the HTML
    css_line: int | None = None  # 1-based line of the CSS box


@dataclass(frozen=True)
class TemplateNotice:
    """Something staff should know that does not stop a save: an address that is never fetched
    (``kind`` "address"), an image without a text alternative ("alt")."""

    reason: str
    line: int | None = None  # 1-based line of the HTML (a <style> element or attribute counts as HTML)
    css_line: int | None = None  # 1-based line of the CSS box
    url: str = ""  # the address concerned
    kind: str = "address"

    @property
    def field(self) -> str:
        return "css" if self.css_line is not None else "html"

    def __str__(self) -> str:
        if self.css_line is not None:
            return _("CSS line %(line)d: %(reason)s") % {"line": self.css_line, "reason": self.reason}
        if self.line is not None:
            return _("Line %(line)d: %(reason)s") % {"line": self.line, "reason": self.reason}
        return self.reason


# ------------------------------------------------------------------------------ unclosed tags

_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPENER = re.compile(r"\{[{%#]")


def unclosed_tag(html: str) -> SourceProblem | None:
    """The first ``{{``, ``{%`` or ``{#`` that Django would print as text, with its line.

    Text inside ``{% comment %}`` and ``{% verbatim %}`` is meant to stay as it is and is skipped.
    """
    skip_until = ""
    for token in Lexer(html).tokenize():
        if token.token_type in {TokenType.BLOCK, TokenType.VAR} and not skip_until:
            inner = _OPENER.search(token.contents)
            if inner is not None:  # "{% if x </p>{% endif %}": the first tag ran into the next one
                opener = "{{" if token.token_type == TokenType.VAR else "{%"
                shown = _shown(opener + " " + token.contents[:inner.start()].split("\n")[0], 40)
                return SourceProblem(_("“%(tag)s” is never closed with %(close)s, so it runs into the "
                                       "next tag.") % {"tag": shown, "close": _OPENERS[opener]},
                                     line=token.lineno)
        if token.token_type == TokenType.BLOCK:
            words = token.contents.split()
            name = words[0] if words else ""
            if skip_until:
                if token.contents == skip_until or (skip_until == "endcomment" and name == "endcomment"):
                    skip_until = ""
            elif name == "comment":
                skip_until = "endcomment"
            elif name == "verbatim":
                skip_until = "end" + token.contents
            continue
        if token.token_type != TokenType.TEXT or skip_until:
            continue
        match = _OPENER.search(token.contents)
        if match is None:
            continue
        text = token.contents
        opener, closer = match.group(0), _OPENERS[match.group(0)]
        line = (token.lineno or 1) + text.count("\n", 0, match.start())
        shown = _shown(text[match.start():].split("\n", 1)[0], 40)
        rest = text[match.end():]
        if closer in rest:  # closed on a later line: Django reads a tag only on one line
            reason = _("“%(tag)s” is closed on a later line, so it would print as typed: a %(open)s … "
                       "%(close)s must open and close on the same line.")
        else:
            reason = _("“%(tag)s” is never closed with %(close)s, so it would print as typed.")
        return SourceProblem(reason % {"tag": shown, "open": opener, "close": closer}, line=line)
    return None


def _shown(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ------------------------------------------------------------------------------ CSS syntax

_END = "cert-plugin-end-of-css"  # appended to find the blocks still open at the end
_NESTED_RULE_LISTS = frozenset({"media", "supports", "layer", "container", "document", "scope"})


def css_problem(css: str) -> SourceProblem | None:
    """The first syntax error of the stylesheet, with its line (None when it parses cleanly)."""
    if not css.strip():
        return None
    tokens = tinycss2.parse_component_value_list(css + "\n" + _END, skip_comments=False)
    found = _token_problem(tokens, css) or _unclosed_block(tokens)
    if found is not None:
        return found
    return _rule_problem(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True),
                         top_level=tinycss2.parse_component_value_list(css, skip_comments=True))


def _css_error(reason: str, node: Any) -> SourceProblem:
    return SourceProblem(reason, css_line=getattr(node, "source_line", None))


def _walk(nodes: Iterable[Any]) -> Iterator[Any]:
    """Every token, blocks and their contents, in the order they appear."""
    for node in nodes:
        yield node
        if isinstance(node, tinycss2.ast.FunctionBlock):
            yield from _walk(node.arguments)
        elif isinstance(node, tinycss2.ast.CurlyBracketsBlock | tinycss2.ast.ParenthesesBlock
                        | tinycss2.ast.SquareBracketsBlock):
            yield from _walk(node.content)


def _walk_inside(nodes: Iterable[Any],
                 parents: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """Like :func:`_walk`, with the blocks enclosing each token (outermost first)."""
    for node in nodes:
        yield node, parents
        if isinstance(node, tinycss2.ast.FunctionBlock):
            yield from _walk_inside(node.arguments, (*parents, node))
        elif isinstance(node, tinycss2.ast.CurlyBracketsBlock | tinycss2.ast.ParenthesesBlock
                        | tinycss2.ast.SquareBracketsBlock):
            yield from _walk_inside(node.content, (*parents, node))


def _token_problem(tokens: list[Any], css: str) -> SourceProblem | None:
    """Strings, url(…)s and comments never closed, and closing brackets that close nothing."""
    starts = _line_starts(css)
    for node, parents in _walk_inside(tokens):
        if isinstance(node, tinycss2.ast.ParseError) and node.kind in {"}", ")", "]"}:
            # A "}" inside a "(" or "[" never closed (width: calc(100% - 2mm; }): the open one is the error.
            inner = [block for block in parents if not isinstance(block, tinycss2.ast.CurlyBracketsBlock)]
            if inner and _contains_end(_children(inner[-1])):
                return _unclosed(inner[-1])
        if isinstance(node, tinycss2.ast.ParseError):
            if node.kind == "eof-in-string":
                return _css_error(_("a quoted string starts here and is never closed."), node)
            if node.kind == "bad-string":
                return _css_error(_("a quoted string is broken across lines: close it with the same "
                                    "quote on its line."), node)
            if node.kind == "bad-url":
                return _css_error(_("this url(…) is malformed: put the address in quotes, "
                                    "e.g. url(\"asset:logo\")."), node)
            if node.kind in {"}", ")", "]"}:
                return _css_error(_("this “%(char)s” closes nothing: is its opening “%(open)s” missing, "
                                    "or is it one too many?") % {
                    "char": node.kind, "open": {"}": "{", ")": "(", "]": "["}[node.kind]}, node)
            return _css_error(str(node.message), node)
        if isinstance(node, tinycss2.ast.Comment):
            offset = _offset(starts, node.source_line, node.source_column)
            if offset is not None and css.find("*/", offset + 2) < 0:
                return _css_error(_("a comment starts here (/*) and is never closed with */, so "
                                    "everything after it is ignored."), node)
    return None


def _line_starts(text: str) -> list[int]:
    return [0, *(index + 1 for index, char in enumerate(text) if char == "\n")]


def _offset(starts: list[int], line: int, column: int) -> int | None:
    if not 1 <= line <= len(starts):
        return None
    return starts[line - 1] + column - 1


def _unclosed_block(tokens: list[Any]) -> SourceProblem | None:
    """The innermost block still open at the end (the marker appended to the CSS landed in it)."""
    path = _path_to_end(tokens)
    if not path:
        return None
    return _unclosed(path[-1])


def _unclosed(block: Any) -> SourceProblem:
    if isinstance(block, tinycss2.ast.FunctionBlock):
        opener, closer = f"{block.name}(", ")"
    elif isinstance(block, tinycss2.ast.ParenthesesBlock):
        opener, closer = "(", ")"
    elif isinstance(block, tinycss2.ast.SquareBracketsBlock):
        opener, closer = "[", "]"
    else:
        opener, closer = "{", "}"
    reason = _("the “%(open)s” opened here is never closed with “%(close)s”, so every rule after it "
               "is read as part of it.") if opener == "{" else _(
        "the “%(open)s” opened here is never closed with “%(close)s”.")
    return _css_error(reason % {"open": opener, "close": closer}, block)


def _children(node: Any) -> list[Any]:
    if isinstance(node, tinycss2.ast.FunctionBlock):
        return list(node.arguments)
    if isinstance(node, tinycss2.ast.CurlyBracketsBlock | tinycss2.ast.ParenthesesBlock
                  | tinycss2.ast.SquareBracketsBlock):
        return list(node.content)
    return []


def _path_to_end(nodes: list[Any]) -> list[Any]:
    """The blocks enclosing the end marker, outermost first ([] when it is at the top level)."""
    for node in nodes:
        if isinstance(node, tinycss2.ast.IdentToken) and node.value == _END:
            return []
        children = _children(node)
        if children and _contains_end(children):
            return [node, *_path_to_end(children)]
    return []


def _contains_end(nodes: list[Any]) -> bool:
    return any(isinstance(node, tinycss2.ast.IdentToken) and node.value == _END for node in _walk(nodes))


def _rule_problem(rules: list[Any], *, top_level: list[Any] | None = None) -> SourceProblem | None:
    """A ``;`` or text outside any rule, a block without a selector, then each rule's declarations."""
    for rule in rules:
        if isinstance(rule, tinycss2.ast.ParseError):
            return _css_error(_("this text is not a rule: a rule is a selector and a { … } block, "
                                "e.g. h1 { color: navy; }."), _stray_text(top_level) or rule)
        if isinstance(rule, tinycss2.ast.QualifiedRule):
            if found := _prelude_problem(rule):
                return found
            if found := _declarations_problem(rule.content):
                return found
        elif isinstance(rule, tinycss2.ast.AtRule) and rule.content is not None:
            if rule.lower_at_keyword in _NESTED_RULE_LISTS:
                found = _rule_problem(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                               skip_whitespace=True))
            else:  # @page, @font-face and other declaration blocks
                found = _declarations_problem(rule.content)
            if found:
                return found
    return None


def _stray_text(top_level: list[Any] | None) -> Any:
    """The first token after the last {} block at the top level: where text outside a rule starts."""
    if not top_level:
        return None
    last = max((index for index, node in enumerate(top_level)
                if isinstance(node, tinycss2.ast.CurlyBracketsBlock)), default=-1)
    return next((node for node in top_level[last + 1:]
                 if not isinstance(node, tinycss2.ast.WhitespaceToken | tinycss2.ast.Comment)), None)


def _prelude_problem(rule: Any) -> SourceProblem | None:
    prelude = [token for token in rule.prelude
               if not isinstance(token, tinycss2.ast.WhitespaceToken | tinycss2.ast.Comment)]
    for token in prelude:
        if isinstance(token, tinycss2.ast.LiteralToken) and token.value == ";":
            return _css_error(_("this “;” is outside any { … } block, so the rule after it is ignored: "
                                "remove it."), token)
    if not prelude:
        return _css_error(_("this { … } block has no selector before it, so it is ignored."), rule)
    return None


def _declarations_problem(content: list[Any]) -> SourceProblem | None:
    for item in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if isinstance(item, tinycss2.ast.ParseError):
            return _css_error(_("this is not a declaration: write a property, a “:” and a value, "
                                "e.g. color: navy; (is a “:” or a “;” missing?)"), item)
        if isinstance(item, tinycss2.ast.Declaration):
            if found := _missing_semicolon(item):
                return found
        elif isinstance(item, tinycss2.ast.QualifiedRule):  # a nested rule
            if found := _prelude_problem(item) or _declarations_problem(item.content):
                return found
        elif (isinstance(item, tinycss2.ast.AtRule) and item.content is not None
              and (found := _declarations_problem(item.content))):  # @top-center inside @page
            return found
    return None


def _missing_semicolon(declaration: Any) -> SourceProblem | None:
    """``height: 210mm overflow: hidden``: a ':' in a value means the ';' before a property is missing."""
    if declaration.name.startswith("--"):  # a custom property may hold anything
        return None
    value = [token for token in declaration.value
             if not isinstance(token, tinycss2.ast.WhitespaceToken | tinycss2.ast.Comment)]
    for index, token in enumerate(value):
        if isinstance(token, tinycss2.ast.LiteralToken) and token.value == ":" and index > 0:
            after = value[index - 1]
            before = value[index - 2] if index >= 2 else None
            name = getattr(after, "value", "")
            return SourceProblem(
                _("a “;” is missing before “%(next)s”, so “%(property)s” and “%(next)s” are both "
                  "ignored.") % {"next": name, "property": declaration.lower_name},
                css_line=getattr(before, "source_line", None) or declaration.source_line)
    if not value:
        return _css_error(_("“%(property)s” has no value.") % {"property": declaration.lower_name},
                          declaration)
    return None


# ------------------------------------------------------------------------------ URLs never fetched

# Attributes whose address the renderer would load (an <a href> is a link, never loaded).
_LOADED_ATTRIBUTES = frozenset({"src", "data", "poster", "background"})
_HREF_LOADED_BY = frozenset({"link", "image", "use", "feimage", "img", "object", "embed", "script"})


def notices(html: str, css: str) -> list[TemplateNotice]:
    """Every address in the template that the renderer will never fetch, and every ``<img>`` without a
    text alternative, each with its line: the HTML in one pass, then the CSS box.

    A screen reader says an image's ``alt``; in the certificate's tagged PDF it is the figure's
    ``/Alt``. An empty ``alt`` marks decoration on a web page, but the PDF still holds the image as a
    figure, described to no one: decoration belongs in a CSS background, which the PDF leaves out of
    what is read."""
    found: list[TemplateNotice] = []
    finder = _SourceScanner(found)
    try:
        finder.feed(html)
        finder.close()
    except (AssertionError, ValueError):  # a template too broken to scan: its problems are reported elsewhere
        pass
    found.extend(_css_url_notices(css, line_offset=0, in_html=False))
    return found


def _alt_notice(attrs: list[tuple[str, str | None]], line: int) -> TemplateNotice | None:
    alt = dict(attrs).get("alt")
    if alt is None:
        reason = _("this image has no alt text: a screen reader cannot say what it shows, on the page or "
                   "in the certificate's PDF. Add alt=\"…\" saying what it shows (a logo: the "
                   "institution's name).")
    elif not alt.strip():
        reason = _("this image's alt text is empty: in the certificate's PDF it is a picture described "
                   "to no one. Say what it shows in alt=\"…\"; if it is only decoration, make it a CSS "
                   "background instead, which is not read out.")
    else:
        return None
    return TemplateNotice(reason, line=line, kind="alt")


def _never_fetched(url: str) -> bool:
    text = url.strip()
    if not text or text.startswith(("#", "{{", "{%")):
        return False  # a fragment, or a template value (``{{ assets.logo }}`` is an asset)
    return not text[:6].lower().startswith(("data:", "asset:"))


def _image_reason(url: str) -> str:
    return _("%(url)s will never be loaded: certificates are made without internet access. Upload the "
             "image under Images and use {{ assets.NAME }} instead.") % {"url": _shown(url, 80)}


class _SourceScanner(HTMLParser):
    """Collects the addresses of loaded attributes, ``style`` attributes and ``<style>`` elements, and
    the images without alt text."""

    def __init__(self, found: list[TemplateNotice]) -> None:
        super().__init__(convert_charrefs=False)
        self.found = found
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag == "img" and (missing := _alt_notice(attrs, line)) is not None:
            self.found.append(missing)
        for name, value in attrs:
            if value is None:
                continue
            if name == "style":
                self.found.extend(_css_url_notices(value, line_offset=line - 1, in_html=True, inline=True))
            elif name == "srcset":
                for candidate in value.split(","):
                    url = candidate.strip().split(" ")[0] if candidate.strip() else ""
                    if _never_fetched(url):
                        self.found.append(TemplateNotice(_image_reason(url), line=line, url=url))
            elif name in _LOADED_ATTRIBUTES | {"xlink:href"} or (name == "href" and tag in _HREF_LOADED_BY):
                if not _never_fetched(value):
                    continue
                if tag == "link":
                    reason = _("the stylesheet %(url)s will never be loaded: certificates are made without "
                               "internet access. Copy the rules you need into the CSS box.") % {
                        "url": _shown(value, 80)}
                else:
                    reason = _image_reason(value)
                self.found.append(TemplateNotice(reason, line=line, url=value))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.found.extend(_css_url_notices(data, line_offset=self.getpos()[0] - 1, in_html=True))


def _css_url_notices(css: str, *, line_offset: int, in_html: bool,
                     inline: bool = False) -> list[TemplateNotice]:
    """``@import`` and ``url(…)`` addresses of a stylesheet (or a ``style`` attribute's declarations)."""
    if not css.strip() or ("url" not in css.lower() and "@import" not in css.lower()):
        return []
    nodes = (tinycss2.parse_blocks_contents(css) if inline
             else tinycss2.parse_component_value_list(css, skip_comments=True))
    found = []
    for node in _walk_rules(nodes):
        url, imported = _url_of(node)
        if url is None or not _never_fetched(url):
            continue
        if imported:
            reason = _("@import %(url)s will never be loaded: certificates are made without internet "
                       "access. Copy the rules you need into the CSS box.") % {"url": _shown(url, 80)}
        else:
            reason = _("url(%(url)s) will never be loaded: certificates are made without internet access. "
                       "Upload the image under Images and write url(asset:NAME) instead.") % {
                "url": _shown(url, 80)}
        line = (getattr(node, "source_line", 1) or 1) + line_offset
        if in_html:
            found.append(TemplateNotice(reason, line=line if not inline else line_offset + 1, url=url))
        else:
            found.append(TemplateNotice(reason, css_line=line, url=url))
    return found


def _walk_rules(nodes: Iterable[Any]) -> Iterator[Any]:
    """Tokens, with ``@import`` seen as one node and the values of declarations walked into."""
    previous_at_import = False
    for node in _walk(nodes):
        if isinstance(node, tinycss2.ast.Declaration):
            yield from _walk(node.value)
            continue
        if previous_at_import and not isinstance(node, tinycss2.ast.WhitespaceToken):
            previous_at_import = False
            if isinstance(node, tinycss2.ast.StringToken):
                yield _Import(node)
                continue
            if _url_of(node)[0] is not None:
                yield _Import(node)
                continue
        if isinstance(node, tinycss2.ast.AtKeywordToken) and node.lower_value == "import":
            previous_at_import = True
        yield node


@dataclass(frozen=True)
class _Import:
    node: Any

    @property
    def source_line(self) -> int:
        return int(getattr(self.node, "source_line", 1) or 1)


def _url_of(node: Any) -> tuple[str | None, bool]:
    """The address a token loads, and whether it is an ``@import``."""
    if isinstance(node, _Import):
        inner = node.node
        if isinstance(inner, tinycss2.ast.StringToken):
            return inner.value, True
        return _url_of(inner)[0], True
    if isinstance(node, tinycss2.ast.URLToken):
        return node.value, False
    if isinstance(node, tinycss2.ast.FunctionBlock) and node.lower_name in {"url", "src"}:
        strings = [arg for arg in node.arguments if isinstance(arg, tinycss2.ast.StringToken)]
        return (strings[0].value if strings else None), False
    return None, False

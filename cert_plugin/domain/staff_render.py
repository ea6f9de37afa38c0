"""A staff-written template rendered to PDF in a child process, within a time and a memory limit.

Owns :func:`render_limited`, the one way the api renders HTML and CSS that course staff wrote:
previews and the trial render of a save (``domain/templates.py``) and the real certificates of a
staff template (``domain/files.py``). The sandbox (``rendering/html.py``) already bounds what a
template can produce; this bounds what the layout may cost: the child is killed past
``seconds`` of wall-clock time and fails past ``memory_mb`` above what it inherited
(``rendering/limits.py``), so no template can stall or grow the web process or a worker, and
other renders go on meanwhile. Writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cert_plugin.domain.shared import pdf_module
from cert_plugin.domain.template_inputs import pdf_assets
from cert_plugin.rendering import html as sandbox
from cert_plugin.rendering import limits
from cert_plugin.rendering.base import Attachment

__all__ = ["RENDER_MEMORY_MB", "RENDER_SECONDS", "render_limited"]

# A real certificate's render (task or first download). The built-in templates take ~0.15 s;
# the render task's own soft time limit (tasks.py) is 120 s, so this one fires first and says why.
RENDER_SECONDS = 60.0
RENDER_MEMORY_MB = 1024  # on top of what the forked process inherits


def render_limited(html_source: str, css: str, values: Mapping[str, Any], *, orientation: str,
                   files: Mapping[str, tuple[bytes, str]], colors: Mapping[str, str] | None,
                   seconds: float, memory_mb: int, pdf_variant: str | None = "pdf/a-3b",
                   attachments: Sequence[Attachment] = (), **metadata: Any) -> bytes:
    """The template rendered with ``values`` to PDF bytes, in a limited child process.

    Raises ``sandbox.TemplateProblem`` (with its line) when the sandbox refuses the template,
    ``limits.RenderLimitError`` past the limits and ``RenderError`` when WeasyPrint fails.
    ``metadata`` is ``render_document``'s (title, author, subject, keywords, created, lang);
    ``attachments`` are embedded as PDF/A-3 associated files (``render_pdf``'s).
    """
    answer = limits.run_limited(
        _render, html_source, css or "", dict(values), orientation, dict(files), colors, pdf_variant,
        metadata, tuple(attachments), seconds=seconds, memory_mb=memory_mb,
        fork_guard=pdf_module().fork_guard())
    if isinstance(answer, tuple):  # the sandbox's refusal, sent back as plain values
        raise sandbox.TemplateProblem(answer[0], answer[1], css_line=answer[2])
    return answer


def _render(html_source: str, css: str, values: Mapping[str, Any], orientation: str,
            files: Mapping[str, tuple[bytes, str]], colors: Mapping[str, str] | None,
            pdf_variant: str | None, metadata: Mapping[str, Any],
            attachments: tuple[Attachment, ...]) -> bytes | tuple[str, int | None, int | None]:
    """In the child: the PDF, or the sandbox's (reason, line, css_line)."""
    try:
        document = sandbox.render_document(html_source, css, values, orientation=orientation, colors=colors,
                                           **metadata)
    except sandbox.TemplateProblem as exc:
        return exc.reason, exc.line, exc.css_line
    content: bytes = pdf_module().render_pdf(document, assets=pdf_assets(files), pdf_variant=pdf_variant,
                                             attachments=attachments)
    return content

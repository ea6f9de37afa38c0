"""Characters no installed font covers, found in a laid-out WeasyPrint document (WeasyPrint < 67).

WeasyPrint 67 and later draw a ``.notdef`` box for such a character and log a warning that
:mod:`cert_plugin.rendering.pdf` repeats. WeasyPrint 66, the release the Open edX platform's pins
(``tinycss2<1.5``) resolve to, leaves a blank and says nothing, so a learner's name in a script no
font covers would print as empty space unnoticed. This module reads Pango's shaping of each laid-out
line, the same glyph runs WeasyPrint then draws, and reports every glyph Pango marked unknown
(``PANGO_GLYPH_UNKNOWN_FLAG``, the glyph carrying the character's code point).

It walks WeasyPrint 66's layout objects (``Page._page_box``, ``TextBox.pango_layout``), which are
not public API; that release is frozen, and :data:`NEEDED` keeps newer ones away from it.
"""

from __future__ import annotations

from typing import Any

import weasyprint.pdf.fonts as weasyprint_fonts

__all__ = ["NEEDED", "unknown_glyph_messages"]

#: True when the installed WeasyPrint does not report missing glyphs itself (it has no .notdef
#: drawing: ``Font.get_unused_glyph_id`` came with it, in 67).
NEEDED: bool = not hasattr(weasyprint_fonts.Font, "get_unused_glyph_id")


def unknown_glyph_messages(document: Any) -> list[str]:
    """One message per character Pango found no glyph for, in order, each naming its code point."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.text.ffi import ffi, pango

    messages: list[str] = []
    for page in document.pages:
        for box in page._page_box.descendants():
            if not isinstance(box, boxes.TextBox) or not box.text.strip():
                continue
            layout = box.pango_layout
            layout.reactivate(box.style)  # as WeasyPrint's drawing does; released again below
            try:
                line, _next_line = layout.get_first_line()
                run = line.runs
                while run != ffi.NULL:
                    glyphs = run.data.glyphs
                    for i in range(glyphs.num_glyphs):
                        glyph = glyphs.glyphs[i].glyph
                        if glyph != pango.PANGO_GLYPH_EMPTY and glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
                            codepoint = glyph & ~pango.PANGO_GLYPH_UNKNOWN_FLAG
                            messages.append(f'no installed font has "{chr(codepoint)}" (U+{codepoint:04X}); '
                                            "it is left blank")
                    run = run.next
            finally:
                layout.deactivate()
    return messages

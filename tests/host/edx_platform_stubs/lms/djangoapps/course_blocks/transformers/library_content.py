"""Stand-in for edx-platform ``lms/djangoapps/course_blocks/transformers/library_content.py``.

``ContentLibraryTransformer`` keeps, for each learner, only the children an item bank or library
content block drew for them (the real one reads the draw from the learner's StudentModule state);
the draws are kept in ``_SELECTED`` ((user id, block key) -> [child keys]).
"""

_SELECTED = {}  # (user id, library content block key) -> child usage keys drawn for that learner


class ContentLibraryTransformer:
    """Selects the children of library content blocks for a learner."""

    WRITE_VERSION = 1
    READ_VERSION = 1

    @classmethod
    def name(cls):
        return "library_content"

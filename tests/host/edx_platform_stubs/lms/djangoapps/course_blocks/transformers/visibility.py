"""Stand-in for edx-platform ``lms/djangoapps/course_blocks/transformers/visibility.py``."""


class VisibilityTransformer:
    """Collects ``visible_to_staff_only`` merged down the tree, per block."""

    WRITE_VERSION = 1
    READ_VERSION = 1

    MERGED_VISIBLE_TO_STAFF_ONLY = "merged_visible_to_staff_only"

    @classmethod
    def name(cls):
        return "visibility"

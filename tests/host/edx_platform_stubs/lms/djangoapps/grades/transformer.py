"""Stand-in for edx-platform ``lms/djangoapps/grades/transformer.py``.

``GradesTransformer`` collects ``due``/``format``/``graded``/``has_score``/``weight``/... as xblock
fields, and ``max_score`` and ``explicit_graded`` as its own block fields; the tests set those on a
``BlockStructureBlockData`` as the collect step would.
"""


class GradesTransformer:
    """Collects grading information and stores it on the block structure."""

    WRITE_VERSION = 4
    READ_VERSION = 4
    FIELDS_TO_COLLECT = ["due", "format", "graded", "has_score", "weight", "course_version",
                         "subtree_edited_on", "show_correctness"]
    EXPLICIT_GRADED_FIELD_NAME = "explicit_graded"

    @classmethod
    def name(cls):
        return "grades"

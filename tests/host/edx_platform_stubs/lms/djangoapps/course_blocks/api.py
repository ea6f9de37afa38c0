"""Stand-in for edx-platform ``lms/djangoapps/course_blocks/api.py``.

``get_course_blocks(user, starting_block_usage_key, transformers=None, collected_block_structure=None,
allow_start_dates_in_future=False, include_completion=False, include_has_scheduled_content=False)``
with the real signature. Without ``transformers`` it applies, to a copy of the collected structure,
what the platform's default access transformers do to it for ``user``:

- ``ContentLibraryTransformer``: an item bank / library content block keeps only the children drawn
  for the learner (``library_content._SELECTED``);
- ``StartDateTransformer``: blocks whose ``start`` is in the future are removed, unless
  ``allow_start_dates_in_future`` (or staff);
- ``ContentTypeGateTransformer``: in a course with gating on, an audit learner's graded scored
  blocks are kept but marked with ``authorization_denial_reason`` (shown locked);
- ``UserPartitionTransformer``: blocks whose merged group access the learner's groups do not meet
  (``partitions._MEMBERSHIP``) are removed with their subtree (staff are exempt);
- ``VisibilityTransformer``: blocks visible to staff only are removed for non-staff.

Calls are counted in ``_CALLS`` so tests can see when a learner's structure was built.
"""

from datetime import UTC, datetime

from common.djangoapps.student.models import CourseEnrollment
from common.djangoapps.student.roles import CourseInstructorRole, CourseStaffRole, GlobalStaff
from openedx.core.djangoapps.content.block_structure.api import get_course_in_cache
from openedx.features.content_type_gating.models import ContentTypeGatingConfig
from xmodule.partitions.partitions import _MEMBERSHIP

from lms.djangoapps.course_blocks.transformers.library_content import _SELECTED
from lms.djangoapps.course_blocks.transformers.user_partitions import UserPartitionTransformer
from lms.djangoapps.course_blocks.transformers.visibility import VisibilityTransformer

_GROUP_ACCESS = "merged_group_access"
_GATING_REASON = "Feature-based Enrollments"  # the content type gating partition's name
_CALLS = []  # (user id, course key) per call


def get_course_blocks(user, starting_block_usage_key, transformers=None, collected_block_structure=None,
                      allow_start_dates_in_future=False, include_completion=False,
                      include_has_scheduled_content=False):
    if transformers is not None:
        raise NotImplementedError("the stand-in only applies the default access transformers")
    course_key = starting_block_usage_key.course_key
    _CALLS.append((user.id, course_key))
    structure = (collected_block_structure or get_course_in_cache(course_key)).copy()
    staff = bool(GlobalStaff().has_user(user) or CourseStaffRole(course_key).has_user(user)
                 or CourseInstructorRole(course_key).has_user(user))

    for key in list(structure.topological_traversal()):  # library content: each learner's draw
        if key in structure and key.block_type in ("library_content", "itembank"):
            drawn = set(_SELECTED.get((user.id, key), ()))
            for child in structure.get_children(key):
                if child not in drawn:
                    structure.remove_block(child, keep_descendants=False)

    now = datetime.now(UTC)
    if not (staff or allow_start_dates_in_future):
        for key in list(structure.topological_traversal()):
            start = structure.get_xblock_field(key, "start")
            if key in structure and start is not None and start > now:
                structure.remove_block(key, keep_descendants=False)

    mode, _active = CourseEnrollment.enrollment_mode_for_user(user, course_key)
    if ContentTypeGatingConfig.enabled_for_course(course_key=course_key) and mode == "audit" and not staff:
        for key in structure.topological_traversal():
            field = structure.get_xblock_field
            if field(key, "has_score") and field(key, "graded") and field(key, "weight") != 0:
                structure.override_xblock_field(key, "authorization_denial_reason", _GATING_REASON)

    if not staff:
        for key in list(structure.topological_traversal()):
            if key not in structure:
                continue
            access = structure.get_transformer_block_field(key, UserPartitionTransformer, _GROUP_ACCESS)
            if access is None:
                continue
            partitions = structure.get_transformer_data(UserPartitionTransformer, "user_partitions") or []
            groups = {p.id: p.get_group(_MEMBERSHIP[(p.id, user.id)]) for p in partitions
                      if (p.id, user.id) in _MEMBERSHIP}
            if access.get_access_denying_partitions(groups):
                structure.remove_block(key, keep_descendants=False)
        for key in list(structure.topological_traversal()):
            if key in structure and structure.get_transformer_block_field(
                    key, VisibilityTransformer, VisibilityTransformer.MERGED_VISIBLE_TO_STAFF_ONLY, False):
                structure.remove_block(key, keep_descendants=False)
    return structure

"""Stand-in for lms/djangoapps/course_api/blocks/api.py (openedx/openedx-platform).

edx-completion's REST views import ``get_blocks`` from here when the LMS loads
its URLs (``completion/api/v1/views.py``); the boot tests load those URLs and
never call it. Same signature as the platform's; the return value has the shape
of its ``return_type="dict"`` answer (``BlockDictSerializer``): the root block
and the blocks by id, here none.
"""


def get_blocks(
        request,
        usage_key,
        user=None,
        depth=None,
        nav_depth=None,
        requested_fields=None,
        block_counts=None,
        student_view_data=None,
        return_type="dict",
        block_types_filter=None,
        hide_access_denials=False,
        allow_start_dates_in_future=False,
):
    """A course with no blocks visible (the platform serializes the user's transformed block structure)."""
    if return_type == "dict":
        return {"root": str(usage_key), "blocks": {}}
    return []

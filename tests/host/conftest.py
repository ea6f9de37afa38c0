"""The edx-platform stand-ins (``edx_platform_stubs/``, see its README) as a fixture, for the host tests."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

STUBS_DIR = Path(__file__).resolve().parent / "edx_platform_stubs"
STUB_PACKAGES = ("openedx", "lms", "common", "xmodule")


def _unload_stub_modules() -> None:
    for name in [name for name in sys.modules if name.split(".")[0] in STUB_PACKAGES]:
        del sys.modules[name]


@pytest.fixture
def edx():
    """Put the edx-platform stand-ins on sys.path for one test; hand the test their modules."""
    _unload_stub_modules()
    sys.path.insert(0, str(STUBS_DIR))
    importlib.invalidate_caches()
    try:
        yield SimpleNamespace(
            overviews=importlib.import_module("openedx.core.djangoapps.content.course_overviews.models"),
            block_structure=importlib.import_module(
                "openedx.core.djangoapps.content.block_structure.block_structure"
            ),
            block_structure_api=importlib.import_module("openedx.core.djangoapps.content.block_structure.api"),
            visibility=importlib.import_module("lms.djangoapps.course_blocks.transformers.visibility"),
            course_grade=importlib.import_module("lms.djangoapps.grades.course_grade"),
            grade_factory=importlib.import_module("lms.djangoapps.grades.course_grade_factory"),
            student=importlib.import_module("common.djangoapps.student.models"),
            roles=importlib.import_module("common.djangoapps.student.roles"),
            preferences=importlib.import_module("openedx.core.djangoapps.user_api.preferences.api"),
            graders=importlib.import_module("xmodule.graders"),
            grades_transformer=importlib.import_module("lms.djangoapps.grades.transformer"),
            user_partitions=importlib.import_module("lms.djangoapps.course_blocks.transformers.user_partitions"),
            library_content=importlib.import_module("lms.djangoapps.course_blocks.transformers.library_content"),
            course_blocks=importlib.import_module("lms.djangoapps.course_blocks.api"),
            partitions=importlib.import_module("xmodule.partitions.partitions"),
            gating=importlib.import_module("openedx.features.content_type_gating.models"),
        )
    finally:
        sys.path.remove(str(STUBS_DIR))
        _unload_stub_modules()
        importlib.invalidate_caches()



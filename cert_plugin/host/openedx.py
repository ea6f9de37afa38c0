"""Open edX host adapter: :class:`OpenEdxHost` answers the plugin's questions with edx-platform's own APIs.

Every edx-platform import happens inside a method, so this module imports (and
the plugin starts) anywhere; only *calling* a method needs the LMS. When
edx-platform is not importable the call raises :class:`EdxPlatformUnavailable`
saying so and how to choose another host adapter.

Where each fact comes from (edx-platform master, the Sumac/Teak/Ulmo line):

- ``course``: ``openedx.core.djangoapps.content.course_overviews.models.CourseOverview``
  (``hours`` is None: ``effort`` is Studio's hours *per week*; total hours are a certificate setting;
  ``passing_grade`` is its ``lowest_passing_grade``, the grading policy's lowest cutoff)
- ``outline``: ``openedx.core.djangoapps.content.block_structure.api.get_course_in_cache``,
  ``lms.djangoapps.course_blocks.transformers.visibility.VisibilityTransformer`` and
  ``lms.djangoapps.grades.transformer.GradesTransformer`` (graded subsections and graded problems)
- ``outline_varies_by_learner``: the collected structure (item banks, library content, split tests,
  ``UserPartitionTransformer``'s merged group access) and
  ``openedx.features.content_type_gating.models.ContentTypeGatingConfig``
- ``learner_outline``: ``lms.djangoapps.course_blocks.api.get_course_blocks`` (the learner's own
  structure, standard access transformers applied)
- ``grade``: ``lms.djangoapps.grades.api.CourseGradeFactory`` (``grades_for``: its ``iter``):
  subsection scores and ``CourseGrade.problem_scores``
- ``enrollment_mode``: ``common.djangoapps.student.models.CourseEnrollment.enrollment_mode_for_user``
- ``learner``: ``user.profile`` (``common.djangoapps.student.models.UserProfile``),
  ``openedx.core.djangoapps.user_api.preferences.api.get_user_preference`` with
  ``openedx.core.djangoapps.lang_pref.LANGUAGE_KEY``
- ``completed_blocks``, ``completed_blocks_for``: ``completion.models.BlockCompletion`` (edx-completion)
- ``enrolled_learners``: ``common.djangoapps.student.models.CourseEnrollment.objects.users_enrolled_in``
- ``is_course_staff``: ``common.djangoapps.student.roles``, the same checks as
  ``lms.djangoapps.courseware.access.administrative_accesses_to_course_for_user``
- ``staff_courses``: the rows of ``common.djangoapps.student.models.CourseAccessRole`` those roles
  read, and ``CourseOverview.get_all_courses``
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opaque_keys.edx.keys import CourseKey, UsageKey

from cert_plugin.host.base import BlockInfo, CourseInfo, GradeInfo, LearnerInfo

__all__ = ["EdxPlatformUnavailable", "OpenEdxHost", "course_tab_base"]

_DEFAULT_LANGUAGE = "en"
_DEFAULT_MODE = "honor"  # GeneratedCertificate.mode's default, for a learner without an enrollment row
_ENROLLMENT_PAGE_SIZE = 1000  # users fetched per query by enrolled_learners()
_STAFF_ROLES = ("staff", "instructor")  # CourseAccessRole.role of the roles is_course_staff checks


def _setting_url(name: str) -> str:
    """An absolute URL from the LMS settings (a Django setting, no edx-platform import), or ""."""
    from django.conf import settings  # the adapter imports without Django (tests/host checks it)

    value = getattr(settings, name, None)
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return value.rstrip("/") + "/"
    return ""


class EdxPlatformUnavailable(ImportError):
    """edx-platform (or the part of it a method needs) cannot be imported here."""


@contextmanager
def _edx_platform(what: str) -> Iterator[None]:
    """Turn an ImportError of the lazy edx-platform imports into a message that says what to do."""
    try:
        yield
    except ImportError as exc:
        raise EdxPlatformUnavailable(
            f"cert_plugin.host.openedx.OpenEdxHost.{what}() needs edx-platform, but importing it failed "
            f"({exc}). Run the plugin inside the Open edX LMS, or set settings.CERT_PLUGIN['HOST'] to the "
            "dotted path of another cert_plugin.host.base.Host implementation."
        ) from exc


def course_tab_base() -> type:
    """edx-platform's ``EnrolledTab`` (``lms.djangoapps.courseware.tabs``), the base class of course tabs
    shown to enrolled learners and course staff; :mod:`cert_plugin.course_tab` builds its tab on it."""
    try:
        from lms.djangoapps.courseware.tabs import EnrolledTab
    except ImportError as exc:
        raise EdxPlatformUnavailable(
            f"The Open edX course tab (cert_plugin.course_tab) needs edx-platform, but importing it failed "
            f"({exc}). It only exists inside the Open edX LMS."
        ) from exc
    return EnrolledTab


def _as_course_key(course_key: CourseKey | str) -> CourseKey:
    return course_key if isinstance(course_key, CourseKey) else CourseKey.from_string(str(course_key))


def _display_name(structure: Any, usage_key: UsageKey) -> str:
    """The block's display name, with the fallback of xmodule's ``display_name_with_default``."""
    name = structure.get_xblock_field(usage_key, "display_name")
    return str(name) if name else usage_key.block_id.replace("_", " ")


def _paged_by_pk(queryset: Any, page_size: int) -> Iterator[Any]:
    """Yield the rows of a pk-ordered queryset, ``page_size`` rows per query."""
    last_pk = None
    while True:
        page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
        batch = list(page[:page_size])
        yield from batch
        if len(batch) < page_size:
            return
        last_pk = batch[-1].pk


def _share(earned: Any, possible: Any) -> float:
    return min(1.0, max(0.0, float(earned) / float(possible)))


def _grade_info(course_grade: Any) -> GradeInfo:
    """A CourseGrade as the plugin reads it: percent, passed, each graded subsection's share and each
    attempted problem's share.

    Subsections come from ``graded_subsections_by_format()`` (graded, points
    possible); problems from ``CourseGrade.problem_scores`` (usage key ->
    ``xmodule.graders.ProblemScore``, gathered from each subsection grade over
    the learner's own block structure), as weighted earned/possible. A problem
    the learner never attempted (no ``first_attempted`` and nothing earned) is
    left out, so the checklist says "not attempted yet" rather than "0%".
    """
    scores: dict[str, float] = {}
    for location, score in course_grade.problem_scores.items():
        if score.possible and score.possible > 0 and (score.first_attempted is not None or score.earned):
            scores[str(location)] = _share(score.earned, score.possible)
    for subsections in course_grade.graded_subsections_by_format().values():
        for location, subsection_grade in subsections.items():
            total = subsection_grade.graded_total
            if total.possible > 0:
                scores[str(location)] = _share(total.earned, total.possible)
    return GradeInfo(
        percent=float(course_grade.percent or 0.0),
        passed=bool(course_grade.passed),  # CourseGrade._compute_passed may give None
        scores=scores,
    )


# Block types that give each learner their own children: item banks and library content (the
# ContentLibraryTransformer draws them per learner) and split tests (a group per learner).
_PER_LEARNER_BLOCK_TYPES = frozenset({"library_content", "itembank", "split_test"})
_GROUP_ACCESS = "merged_group_access"  # UserPartitionTransformer's block field (a _MergedGroupAccess)


def _walk(structure: Any) -> Iterator[UsageKey]:
    """Every block under the root, pre-order in course order, once each."""
    seen: set[UsageKey] = set()
    stack = [structure.root_block_usage_key]
    while stack:
        key = stack.pop()
        if key in seen:
            continue
        seen.add(key)
        yield key
        stack.extend(reversed(structure.get_children(key)))


def _points_possible(structure: Any, key: UsageKey, grades: Any) -> float:
    """The weighted points a scored block is worth, by the rules of ``lms.djangoapps.grades.scores``
    (``get_score`` over the latest block content: ``max_score`` as raw possible, then ``weight``); 0
    for a block without a score. ``grades`` is edx-platform's ``GradesTransformer``."""
    if not structure.get_xblock_field(key, "has_score", False):
        return 0.0
    raw_possible = structure.get_transformer_block_field(key, grades, "max_score")
    if raw_possible is None:
        return 0.0
    weight = structure.get_xblock_field(key, "weight")
    possible = raw_possible if weight is None or raw_possible == 0 else weight
    return max(0.0, float(possible))


def _graded_problem(structure: Any, key: UsageKey, grades: Any) -> bool:
    """A block whose score counts in its (graded) subsection's grade: it has points possible and its
    ``graded`` is not turned off (``GradesTransformer``'s explicit_graded; None means graded)."""
    if _points_possible(structure, key, grades) <= 0:
        return False
    explicit = structure.get_transformer_block_field(key, grades, grades.EXPLICIT_GRADED_FIELD_NAME)
    return explicit is not False


def _outline_of(structure: Any) -> list[BlockInfo]:
    """The rules of :meth:`OpenEdxHost.outline`, over a collected or a learner's transformed structure."""
    with _edx_platform("outline"):
        from lms.djangoapps.course_blocks.transformers.visibility import VisibilityTransformer
        from lms.djangoapps.grades.transformer import GradesTransformer
        from xblock.completable import XBlockCompletionMode

    def staff_only(key: UsageKey) -> bool:
        return bool(
            structure.get_transformer_block_field(
                key, VisibilityTransformer, VisibilityTransformer.MERGED_VISIBLE_TO_STAFF_ONLY, False
            )
        )

    outline: list[BlockInfo] = []
    seen: set[UsageKey] = set()
    for chapter_key in structure.get_children(structure.root_block_usage_key):
        if staff_only(chapter_key):
            continue
        for subsection_key in structure.get_children(chapter_key):
            if subsection_key in seen or staff_only(subsection_key):
                continue
            seen.add(subsection_key)
            graded = bool(structure.get_xblock_field(subsection_key, "graded", False))
            assignment_type = ""
            subsection_title = _display_name(structure, subsection_key)
            if graded:
                assignment_type = structure.get_xblock_field(subsection_key, "format") or ""
                outline.append(
                    BlockInfo(
                        usage_key=subsection_key,
                        title=subsection_title,
                        completable=False,
                        graded=True,
                        assignment_type=assignment_type,
                    )
                )
            stack = list(reversed(structure.get_children(subsection_key)))
            while stack:  # pre-order, so leaves come out in course order
                key = stack.pop()
                if key in seen or staff_only(key):
                    continue
                seen.add(key)
                children = structure.get_children(key)
                if children:
                    stack.extend(reversed(children))
                    continue
                mode = structure.get_xblock_field(key, "completion_mode", XBlockCompletionMode.COMPLETABLE)
                completable = mode not in (XBlockCompletionMode.AGGREGATOR, XBlockCompletionMode.EXCLUDED)
                if structure.get_xblock_field(key, "authorization_denial_reason"):
                    completable = False  # locked for this learner (content gating): shown, not doable
                problem = graded and _graded_problem(structure, key, GradesTransformer)
                if not (completable or problem):
                    continue
                outline.append(
                    BlockInfo(
                        usage_key=key,
                        title=_display_name(structure, key),
                        completable=completable,
                        graded=problem,
                        assignment_type=assignment_type if problem else "",
                        subsection=subsection_title if problem else "",
                    )
                )
    return outline


def _course_info(overview: Any, course_key: CourseKey) -> CourseInfo:
    """A CourseOverview as the plugin reads a course (see :meth:`OpenEdxHost.course`)."""
    cutoff = overview.lowest_passing_grade  # a Decimal 0..1 (null: a course saved before the field)
    return CourseInfo(
        course_key=course_key,
        title=overview.display_name or overview.display_name_with_default or str(course_key),
        org=overview.display_org_with_default or overview.org,
        # CourseOverview.effort is Studio's "Hours of effort per week", a weekly estimate: never the
        # course's total. Total hours come from the course's certificate settings.
        hours=None,
        language=overview.language or _DEFAULT_LANGUAGE,
        passing_grade=float(cutoff) if cutoff is not None else None,
    )


class OpenEdxHost:
    """:class:`cert_plugin.host.base.Host` for the Open edX LMS (edx-platform)."""

    def course(self, course_key: CourseKey) -> CourseInfo | None:
        """The course's title, org, language and grade cutoff from its CourseOverview; None if no such course.

        ``hours`` is None: the overview has no total workload (its ``effort`` is
        Studio's weekly estimate), so the hours printed are the ones course staff
        enter in the certificate settings (``api.configure_course(hours=...)``).
        ``passing_grade`` is the overview's ``lowest_passing_grade``: the lowest
        cutoff of the course's grading policy (``grade_cutoffs``), what
        ``CourseGrade.passed`` compares the grade with.
        """
        with _edx_platform("course"):
            from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

        course_key = _as_course_key(course_key)
        try:
            overview = CourseOverview.get_from_id(course_key)
        except CourseOverview.DoesNotExist:
            return None
        return _course_info(overview, course_key)

    def outline(self, course_key: CourseKey) -> list[BlockInfo]:
        """The course's graded subsections, graded problems and completable leaf blocks, in course order.

        Source: the *collected* (learner-independent) block structure from
        ``get_course_in_cache`` -- the same structure edx-platform's grading
        context (``lms.djangoapps.grades.context.grading_context_for_course``)
        walks to find graded subsections. Its registered transformers have
        already collected what is read here: ``display_name`` (BlocksAPITransformer),
        ``graded``/``format``/``has_score``/``weight`` and the ``max_score`` and
        ``explicit_graded`` fields (GradesTransformer), ``completion_mode``
        (BlockCompletionTransformer, whose rule -- aggregators and excluded
        blocks have no completion, everything else is completable -- is the one
        used here) and the merged ``visible_to_staff_only`` (VisibilityTransformer).
        The learning_sequences outline was rejected: it stops at sequences and
        carries neither leaf blocks nor the grading format.

        Rules: course -> chapter -> subsection (as the grading code walks it);
        blocks visible to staff only are skipped with their subtree; each graded
        subsection is listed (before its content) as ``BlockInfo(completable=False,
        graded=True, assignment_type=<format>)``; every leaf whose completion mode
        is "completable" is listed once, as is every *graded problem*: a leaf in a
        graded subsection that the platform scores (``has_score``, a ``max_score``
        and weight giving more than 0 points possible, ``graded`` not turned off
        on the block -- the rules of ``lms.djangoapps.grades.scores.get_score``),
        listed ``graded=True`` with ``subsection`` naming its subsection. Other
        leaves of a graded subsection (text, video) are not graded. An unknown
        course has an empty outline.

        What one learner sees differs where cohorts, enrollment tracks,
        randomised content or content gating apply: see :meth:`learner_outline`.
        """
        with _edx_platform("outline"):
            from openedx.core.djangoapps.content.block_structure.api import get_course_in_cache
            from xmodule.modulestore.exceptions import ItemNotFoundError

        try:
            structure = get_course_in_cache(_as_course_key(course_key))
        except ItemNotFoundError:
            return []
        return _outline_of(structure)

    def outline_varies_by_learner(self, course_key: CourseKey) -> bool:
        """Whether some learners see a different outline than others, read from the collected structure.

        True when the course has randomised or per-learner content: an item
        bank or library content block (``ContentLibraryTransformer`` picks each
        learner's children), a split test, a block whose merged group access
        (``UserPartitionTransformer``'s ``merged_group_access``: cohorts,
        enrollment tracks, any partition) restricts it to some groups, or
        content type gating enabled for the course
        (``ContentTypeGatingConfig.enabled_for_course``) while it has graded
        problems (gating locks those for audit learners). Otherwise every
        learner's outline is :meth:`outline`, and the plugin reads no learner's
        block structure (a backfill of thousands of learners stays at its bulk
        cost). An unknown course does not vary.
        """
        with _edx_platform("outline_varies_by_learner"):
            from lms.djangoapps.course_blocks.transformers.user_partitions import UserPartitionTransformer
            from openedx.core.djangoapps.content.block_structure.api import get_course_in_cache
            from openedx.features.content_type_gating.models import ContentTypeGatingConfig
            from xmodule.modulestore.exceptions import ItemNotFoundError

        course_key = _as_course_key(course_key)
        try:
            structure = get_course_in_cache(course_key)
        except ItemNotFoundError:
            return False
        for key in _walk(structure):
            if key.block_type in _PER_LEARNER_BLOCK_TYPES:
                return True
            access = structure.get_transformer_block_field(key, UserPartitionTransformer, _GROUP_ACCESS)
            if access is not None and access.get_allowed_groups():
                return True
        if ContentTypeGatingConfig.enabled_for_course(course_key=course_key):
            return any(info.graded and info.subsection for info in _outline_of(structure))
        return False

    def learner_outline(self, user: Any, course_key: CourseKey) -> list[BlockInfo]:
        """:meth:`outline` over the learner's own block structure.

        ``lms.djangoapps.course_blocks.api.get_course_blocks(user, ...)`` with the
        platform's standard access transformers (library content and its order,
        start dates, content type gating, user partitions with split tests,
        visibility, date overrides) applied to the collected structure: blocks
        of another cohort, enrollment track or split-test group, and the item
        bank children not drawn for this learner, are left out. Content gated
        for the learner stays in their structure marked with an
        ``authorization_denial_reason`` (the learner sees it locked): it is
        listed but not completable, so it never counts as a lesson they cannot
        do. Content not released yet is kept (``allow_start_dates_in_future``),
        so nobody qualifies before the whole course is out. Course staff get
        the whole course, as in the LMS.
        """
        with _edx_platform("learner_outline"):
            from lms.djangoapps.course_blocks.api import get_course_blocks
            from openedx.core.djangoapps.content.block_structure.api import get_course_in_cache
            from xmodule.modulestore.exceptions import ItemNotFoundError

        try:
            collected = get_course_in_cache(_as_course_key(course_key))
        except ItemNotFoundError:
            return []
        structure = get_course_blocks(user, collected.root_block_usage_key,
                                      collected_block_structure=collected, allow_start_dates_in_future=True)
        return _outline_of(structure)

    def learner(self, user: Any) -> LearnerInfo:
        """Name from the profile (then Django's full name, then username), email, language preference."""
        from django.core.exceptions import ObjectDoesNotExist

        with _edx_platform("learner"):
            from openedx.core.djangoapps.lang_pref import LANGUAGE_KEY
            from openedx.core.djangoapps.user_api.preferences.api import get_user_preference

        try:
            profile_name = (user.profile.name or "").strip()
        except (ObjectDoesNotExist, AttributeError):  # no UserProfile row / a user model without one
            profile_name = ""
        get_full_name = getattr(user, "get_full_name", None)
        full_name = profile_name or (get_full_name().strip() if get_full_name else "") or user.username
        language = get_user_preference(user, LANGUAGE_KEY) or _DEFAULT_LANGUAGE
        return LearnerInfo(full_name=full_name, email=user.email or "", language=language)

    def grade(self, user: Any, course_key: CourseKey) -> GradeInfo:
        """The persisted (or freshly computed) course grade and the score of each graded subsection.

        ``scores`` maps each graded subsection's usage key string to
        earned/possible, taken from ``CourseGrade.graded_subsections_by_format()``
        (which already leaves out subsections with nothing possible).
        """
        with _edx_platform("grade"):
            from lms.djangoapps.grades.api import CourseGradeFactory

        course_grade = CourseGradeFactory().read(user, course_key=_as_course_key(course_key))
        if course_grade is None:  # only when read(create_if_needed=False); kept for safety
            return GradeInfo(percent=0.0, passed=False, scores={})
        return _grade_info(course_grade)

    def grades_for(self, users: Sequence[Any], course_key: CourseKey) -> dict[Any, GradeInfo]:
        """:meth:`grade` of many learners, by user id, through ``CourseGradeFactory().iter``.

        ``iter`` reads the course's collected block structure once for all of
        them (and so grades them all against the same course version). A
        learner it could not grade is left out: the plugin then reads that
        learner alone with :meth:`grade`.
        """
        with _edx_platform("grades_for"):
            from lms.djangoapps.grades.api import CourseGradeFactory

        found: dict[Any, GradeInfo] = {}
        for result in CourseGradeFactory().iter(list(users), course_key=_as_course_key(course_key)):
            if not result.error and result.course_grade is not None:
                found[result.student.pk] = _grade_info(result.course_grade)
        return found

    def completed_blocks(self, user: Any, course_key: CourseKey) -> set[UsageKey]:
        """Blocks the learner fully completed (completion 1.0) according to edx-completion."""
        with _edx_platform("completed_blocks"):
            from completion.models import BlockCompletion

        completions = BlockCompletion.get_learning_context_completions(user, _as_course_key(course_key))
        return {block_key for block_key, completion in completions.items() if completion >= 1.0}

    def completed_blocks_for(self, users: Sequence[Any], course_key: CourseKey) -> dict[Any, set[UsageKey]]:
        """:meth:`completed_blocks` of many learners, by user id, in one query of edx-completion's table."""
        with _edx_platform("completed_blocks_for"):
            from completion.models import BlockCompletion

        found: dict[Any, set[UsageKey]] = {user.pk: set() for user in users}
        rows = BlockCompletion.objects.filter(user_id__in=list(found), context_key=_as_course_key(course_key),
                                              completion__gte=1.0)
        for user_id, block_key in rows.values_list("user_id", "block_key"):
            found[user_id].add(block_key)
        return found

    def enrolled_learners(self, course_key: CourseKey) -> Iterator[Any]:
        """Users actively enrolled in the course, as an iterator that fetches them in pages.

        Keyset pagination (by primary key) keeps memory flat for 100k learners
        on every database and holds no cursor open between pages, so callers
        may write to the database while they iterate.
        """
        with _edx_platform("enrolled_learners"):
            from common.djangoapps.student.models import CourseEnrollment

        users = CourseEnrollment.objects.users_enrolled_in(_as_course_key(course_key))
        return _paged_by_pk(users.order_by("pk"), _ENROLLMENT_PAGE_SIZE)

    def learners_queryset(self, course_key: CourseKey) -> Any:
        """Actively enrolled users as a ``User`` QuerySet, for the staff learners table."""
        with _edx_platform("learners_queryset"):
            from common.djangoapps.student.models import CourseEnrollment

        return CourseEnrollment.objects.users_enrolled_in(_as_course_key(course_key))

    def enrolled_courses(self, user: Any) -> list[CourseKey]:
        """The courses the user is actively enrolled in (for the learner's certificates tab)."""
        with _edx_platform("enrolled_courses"):
            from common.djangoapps.student.models import CourseEnrollment

        return [enrollment.course_id for enrollment in CourseEnrollment.enrollments_for_user(user)]

    def home_url(self) -> str:
        """The learner home: ``LEARNER_HOME_MICROFRONTEND_URL`` when the site runs that MFE, else
        ``/dashboard`` (which redirects to it on sites that do)."""
        return _setting_url("LEARNER_HOME_MICROFRONTEND_URL") or "/dashboard"

    def account_url(self) -> str:
        """The account settings, where the full name is edited: ``ACCOUNT_MICROFRONTEND_URL``, else
        ``/account/settings`` (edx-platform's ``account_settings``, which redirects to the MFE)."""
        return _setting_url("ACCOUNT_MICROFRONTEND_URL") or "/account/settings"

    def enrollment_mode(self, user: Any, course_key: CourseKey) -> str:
        """The learner's enrollment mode slug, from ``CourseEnrollment.enrollment_mode_for_user`` (as
        ``GeneratedCertificate.invalidate`` reads it); "honor" (GeneratedCertificate's default mode) when
        the learner has no enrollment row."""
        with _edx_platform("enrollment_mode"):
            from common.djangoapps.student.models import CourseEnrollment

        mode, _is_active = CourseEnrollment.enrollment_mode_for_user(user, _as_course_key(course_key))
        return mode or _DEFAULT_MODE

    def staff_courses(self, user: Any) -> list[CourseInfo]:
        """The courses :meth:`is_course_staff` lets the user into, from the roles it checks, in bulk.

        Global staff: every course (``CourseOverview.get_all_courses()``). Others:
        the courses of their ``staff`` and ``instructor`` rows of
        ``common.djangoapps.student.models.CourseAccessRole`` (what
        ``CourseStaffRole``, ``CourseInstructorRole``, ``OrgStaffRole`` and
        ``OrgInstructorRole`` read): a row with a ``course_id`` names one course,
        a row with only an ``org`` every course of that organization
        (``get_all_courses(orgs=...)``, which matches organizations in any case,
        as the roles do). An inactive user has none, as the roles' ``has_user``
        checks. One query for the roles and at most two for the overviews.
        """
        with _edx_platform("staff_courses"):
            from common.djangoapps.student.models import CourseAccessRole
            from common.djangoapps.student.roles import GlobalStaff
            from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

        if user is None or not getattr(user, "is_authenticated", False):
            return []
        if GlobalStaff().has_user(user):
            overviews = list(CourseOverview.get_all_courses())
        elif not getattr(user, "is_active", True):
            return []
        else:
            roles = list(CourseAccessRole.objects.filter(user=user, role__in=_STAFF_ROLES))
            keys = sorted({str(role.course_id) for role in roles if role.course_id})
            orgs = sorted({role.org for role in roles if not role.course_id and role.org})
            overviews = [
                *(CourseOverview.get_all_courses(filter_={"id__in": keys}) if keys else ()),
                *(CourseOverview.get_all_courses(orgs=orgs) if orgs else ()),
            ]
        return [_course_info(overview, overview.id) for overview in overviews]

    def is_course_staff(self, user: Any, course_key: CourseKey) -> bool:
        """Global staff, or staff/instructor of the course or of its organization."""
        with _edx_platform("is_course_staff"):
            from common.djangoapps.student.roles import (
                CourseInstructorRole,
                CourseStaffRole,
                GlobalStaff,
                OrgInstructorRole,
                OrgStaffRole,
            )

        if user is None or not getattr(user, "is_authenticated", False):
            return False
        course_key = _as_course_key(course_key)
        return bool(
            GlobalStaff().has_user(user)
            or CourseStaffRole(course_key).has_user(user)
            or CourseInstructorRole(course_key).has_user(user)
            or OrgStaffRole(course_key.org).has_user(user)
            or OrgInstructorRole(course_key.org).has_user(user)
        )

"""Stand-in for lms/djangoapps/grades/signals/signals.py (openedx/openedx-platform): the one
signal that edx-completion's ``signals_config`` connects to in the LMS
(``completion.handlers.scorable_block_completion``).

As there: a plain Django signal, sent with ``user_id``, ``course_id``, ``usage_id``,
``weighted_earned``, ``weighted_possible``, ``only_if_higher``, ``modified``,
``score_db_table``, ``score_deleted``.
"""

from django.dispatch import Signal

PROBLEM_WEIGHTED_SCORE_CHANGED = Signal()

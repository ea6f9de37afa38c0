"""Stand-in for edx-platform ``xmodule/graders.py``: the score shapes grading works with.

``ProblemScore(raw_earned, raw_possible, weighted_earned, weighted_possible, weight, graded,
first_attempted)`` and ``AggregatedScore(tw_earned, tw_possible, graded, first_attempted)`` keep the
real constructors and attributes (``earned``/``possible`` are the *weighted* values, as floats);
``aggregate_scores(scores)`` gives ``(all_total, graded_total)`` by the real rules.
"""


class ScoreBase:
    """Fields common to all scores: ``graded`` and ``first_attempted`` (a datetime or None)."""

    def __init__(self, graded, first_attempted):
        self.graded = graded
        self.first_attempted = first_attempted

    def __eq__(self, other):
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __repr__(self):
        return f"{self.__class__.__name__}({self.__dict__})"


class ProblemScore(ScoreBase):
    """Encapsulates the fields of a Problem's score."""

    def __init__(self, raw_earned, raw_possible, weighted_earned, weighted_possible, weight, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw_earned = float(raw_earned) if raw_earned is not None else None
        self.raw_possible = float(raw_possible) if raw_possible is not None else None
        self.earned = float(weighted_earned) if weighted_earned is not None else None
        self.possible = float(weighted_possible) if weighted_possible is not None else None
        self.weight = weight


class AggregatedScore(ScoreBase):
    """Encapsulates the fields of a Subsection's score."""

    def __init__(self, tw_earned, tw_possible, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.earned = float(tw_earned) if tw_earned is not None else None
        self.possible = float(tw_possible) if tw_possible is not None else None


def aggregate_scores(scores):
    graded = [score for score in scores if score.graded]
    first = min((s.first_attempted for s in scores if s.first_attempted), default=None)
    first_graded = min((s.first_attempted for s in graded if s.first_attempted), default=None)
    all_total = AggregatedScore(sum(s.earned for s in scores), sum(s.possible for s in scores), False,
                                first_attempted=first)
    graded_total = AggregatedScore(sum(s.earned for s in graded), sum(s.possible for s in graded), True,
                                   first_attempted=first_graded)
    return all_total, graded_total

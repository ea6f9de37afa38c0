"""Stand-in for edx-platform ``xmodule/partitions/partitions.py``: ``Group`` and ``UserPartition``.

The real ``UserPartition`` delegates a learner's group to its scheme (cohorts, enrollment track,
content type gating, random for split tests); here the scheme is one in-memory table the tests fill
(``_MEMBERSHIP``). ``access_denied_message`` returns None, as every scheme but content type gating
does (that one keeps the block and shows it locked).
"""

from collections import namedtuple

_MEMBERSHIP = {}  # (partition id, user id) -> group id

Group = namedtuple("Group", "id name")


class UserPartition(namedtuple("UserPartition", "id name description groups scheme parameters active")):
    """A named way to partition users into groups (a cohort set, the enrollment tracks...)."""

    def __new__(cls, id, name, description, groups, scheme=None, parameters=None, active=True,
                scheme_id="random"):
        return super().__new__(cls, int(id), name, description, groups, scheme, parameters or {}, active)

    def get_group(self, group_id):
        for group in self.groups:
            if group.id == group_id:
                return group
        return None

    def access_denied_message(self, block_key, user, user_group, allowed_groups):
        return None

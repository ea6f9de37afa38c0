"""Stand-in for edx-platform ``lms/djangoapps/course_blocks/transformers/user_partitions.py``.

``UserPartitionTransformer`` keeps the course's active partitions as transformer data
(``user_partitions``) and, per block, a ``merged_group_access`` (``_MergedGroupAccess``: partition id
-> allowed group ids, merged from the block's own ``group_access`` and its parents'), as its collect
step does; ``collect_merged(structure, group_access)`` runs that merge for the tests.
"""


class _MergedGroupAccess:
    """A block's group access merged down from its ancestors: {partition id: allowed group ids}."""

    def __init__(self, user_partitions, group_access, merged_parent_access_list):
        self._access = {}
        for partition in user_partitions:
            parents = None
            if merged_parent_access_list:
                parents = set()
                for parent in merged_parent_access_list:
                    if partition.id in parent._access:
                        parents.update(parent._access[partition.id])
                    else:
                        parents = None
                        break
            own = set((group_access or {}).get(partition.id) or []) or None
            sets = [s for s in (own, parents) if s is not None]
            if sets:
                self._access[partition.id] = sets[0].intersection(*sets[1:])

    def get_allowed_groups(self):
        return self._access

    def get_access_denying_partitions(self, user_groups):
        return [partition_id for partition_id, allowed in self._access.items()
                if partition_id not in user_groups or user_groups[partition_id].id not in allowed]


class UserPartitionTransformer:
    """Enforces the group access rules on course blocks (cohorts, enrollment tracks, split tests...)."""

    WRITE_VERSION = 1
    READ_VERSION = 1

    @classmethod
    def name(cls):
        return "user_partitions"

    @classmethod
    def collect_merged(cls, block_structure, user_partitions, group_access):
        """What ``collect`` stores: the partitions, and each block's merged group access
        (``group_access``: usage key -> {partition id: [group ids]}, as set in Studio)."""
        block_structure.set_transformer_data(cls, "user_partitions", user_partitions)
        if not user_partitions:
            return
        for key in block_structure.topological_traversal():
            parents = [block_structure.get_transformer_block_field(parent, cls, "merged_group_access")
                       for parent in block_structure.get_parents(key)]
            merged = _MergedGroupAccess(user_partitions, group_access.get(key), parents)
            block_structure.set_transformer_block_field(key, cls, "merged_group_access", merged)

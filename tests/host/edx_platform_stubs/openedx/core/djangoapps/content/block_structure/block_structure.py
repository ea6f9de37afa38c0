"""Stand-in for edx-platform ``openedx/core/djangoapps/content/block_structure/block_structure.py``.

``BlockStructureBlockData`` with the read API the adapter uses (``root_block_usage_key``,
``get_children``, ``get_parents``, ``topological_traversal``, ``get_xblock_field``,
``get_transformer_block_field``, ``get_transformer_data``, ``in``), and the real builder methods the
tests and the ``get_course_blocks`` stand-in use to fill and transform it (``_add_relation``,
``override_xblock_field``, ``set_transformer_block_field``, ``set_transformer_data``,
``remove_block``, ``copy``).
"""

import copy as _copy
from collections import defaultdict


class BlockStructureBlockData:
    """A course's block tree with its collected xblock and transformer fields."""

    def __init__(self, root_block_usage_key):
        self.root_block_usage_key = root_block_usage_key
        self._children = defaultdict(list)  # UsageKey -> [UsageKey], in course order
        self._parents = defaultdict(list)  # UsageKey -> [UsageKey]
        self._xblock_fields = defaultdict(dict)  # UsageKey -> {field name: value}
        self._transformer_fields = defaultdict(dict)  # (UsageKey, transformer name) -> {key: value}
        self._transformer_data = defaultdict(dict)  # transformer name -> {key: value}

    def __contains__(self, usage_key):
        return usage_key == self.root_block_usage_key or usage_key in self._parents

    def __iter__(self):
        return iter(self.topological_traversal())

    def _add_relation(self, parent_key, child_key):
        self._children[parent_key].append(child_key)
        self._parents[child_key].append(parent_key)

    def get_children(self, usage_key):
        return list(self._children[usage_key]) if usage_key in self._children else []

    def get_parents(self, usage_key):
        return list(self._parents[usage_key]) if usage_key in self._parents else []

    def topological_traversal(self):
        """Every block after all its parents (parents first), from the root."""
        order, seen = [], set()

        def visit(key):
            if key in seen:
                return
            for parent in self.get_parents(key):
                if parent not in seen and parent in self:
                    return  # visited again once its last parent is in
            seen.add(key)
            order.append(key)
            for child in self.get_children(key):
                visit(child)

        visit(self.root_block_usage_key)
        return order

    def override_xblock_field(self, usage_key, field_name, override_data):
        self._xblock_fields[usage_key][field_name] = override_data

    def get_xblock_field(self, usage_key, field_name, default=None):
        return self._xblock_fields.get(usage_key, {}).get(field_name, default)

    def set_transformer_block_field(self, usage_key, transformer, key, value):
        self._transformer_fields[(usage_key, transformer.name())][key] = value

    def get_transformer_block_field(self, usage_key, transformer, key, default=None):
        return self._transformer_fields.get((usage_key, transformer.name()), {}).get(key, default)

    def set_transformer_data(self, transformer, key, data):
        self._transformer_data[transformer.name()][key] = data

    def get_transformer_data(self, transformer, key, default=None):
        return self._transformer_data.get(transformer.name(), {}).get(key, default)

    def remove_block(self, usage_key, keep_descendants):
        """Remove the block (and, unless ``keep_descendants``, its descendants that lose their
        last parent) from the structure."""
        children = self.get_children(usage_key)
        for parent in self._parents.pop(usage_key, []):
            self._children[parent].remove(usage_key)
        self._children.pop(usage_key, None)
        for child in children:
            self._parents[child].remove(usage_key)
            if keep_descendants:
                continue
            if not self._parents[child]:
                self.remove_block(child, keep_descendants=False)

    def copy(self):
        return _copy.deepcopy(self)

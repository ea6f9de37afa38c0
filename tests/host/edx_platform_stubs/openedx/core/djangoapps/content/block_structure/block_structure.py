"""Stand-in for edx-platform ``openedx/core/djangoapps/content/block_structure/block_structure.py``.

``BlockStructureBlockData`` with the read API the adapter uses
(``root_block_usage_key``, ``get_children``, ``get_xblock_field``,
``get_transformer_block_field``) and the real builder methods the tests use
to fill it (``_add_relation``, ``override_xblock_field``,
``set_transformer_block_field``).
"""

from collections import defaultdict


class BlockStructureBlockData:
    """A course's collected block tree with its collected xblock and transformer fields."""

    def __init__(self, root_block_usage_key):
        self.root_block_usage_key = root_block_usage_key
        self._children = defaultdict(list)  # UsageKey -> [UsageKey], in course order
        self._xblock_fields = defaultdict(dict)  # UsageKey -> {field name: value}
        self._transformer_fields = defaultdict(dict)  # (UsageKey, transformer name) -> {key: value}

    def _add_relation(self, parent_key, child_key):
        self._children[parent_key].append(child_key)

    def get_children(self, usage_key):
        return list(self._children[usage_key]) if usage_key in self._children else []

    def override_xblock_field(self, usage_key, field_name, override_data):
        self._xblock_fields[usage_key][field_name] = override_data

    def get_xblock_field(self, usage_key, field_name, default=None):
        return self._xblock_fields.get(usage_key, {}).get(field_name, default)

    def set_transformer_block_field(self, usage_key, transformer, key, value):
        self._transformer_fields[(usage_key, transformer.name())][key] = value

    def get_transformer_block_field(self, usage_key, transformer, key, default=None):
        return self._transformer_fields.get((usage_key, transformer.name()), {}).get(key, default)

"""Stand-in for edx-platform ``xmodule/modulestore/exceptions.py``."""


class ItemNotFoundError(Exception):
    pass

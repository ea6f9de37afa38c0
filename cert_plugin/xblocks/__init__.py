"""XBlocks of cert_plugin (entry point ``xblock.v1``): callers of :mod:`cert_plugin.api`, like the views."""

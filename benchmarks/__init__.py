"""Performance suite of cert_plugin: figures and ratios against bare-library baselines.

Run with ``make bench`` (or ``python -m benchmarks``); see ``benchmarks/README.md``. Nothing
here is a test: targets are reported next to the figures, never asserted.
"""

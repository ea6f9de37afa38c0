"""A small standalone LMS that stands in for edx-platform in the demo and tests."""

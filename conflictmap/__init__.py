"""Conflict Event Map: news articles in, ACLED-style events on a map out."""

__version__ = "0.1.0"

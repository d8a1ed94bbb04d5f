"""Wegwijs service package."""

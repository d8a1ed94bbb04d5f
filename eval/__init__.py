"""Wegwijs eval package."""

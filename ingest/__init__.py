"""Ingest: crawl shared folders, parse with unstructured, chunk, and describe each document."""

"""Retrieval evaluation: labelled queries → runs per configuration → ranx metrics → reports."""

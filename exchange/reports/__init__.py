"""Regulator reports: pure functions from stored records to CSV and JSON with a content hash."""

"""A DAG file the bench edits."""
VERSION = 0

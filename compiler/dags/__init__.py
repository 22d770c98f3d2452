"""`check-dags`: DAG files read with `ast` against a Dockerfile's PYENVs."""

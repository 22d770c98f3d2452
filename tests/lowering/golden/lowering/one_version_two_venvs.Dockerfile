# syntax=quay.io/astronomer/airflow-extensions:v1
FROM quay.io/astronomer/astro-runtime:9.11.0

PYENV 3.11 one
PYENV 3.11 two

# syntax=quay.io/astronomer/airflow-extensions:v1
FROM astro-runtime:7.0.0
PYENV 3.11 x

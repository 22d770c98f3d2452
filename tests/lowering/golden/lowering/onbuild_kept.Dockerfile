# syntax=quay.io/astronomer/airflow-extensions:v1
FROM quay.io/astronomer/astro-runtime:7.0.0
ONBUILD RUN echo "hi!"
PYENV 3.11 x

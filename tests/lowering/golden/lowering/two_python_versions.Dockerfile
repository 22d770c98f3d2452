# syntax=quay.io/astronomer/airflow-extensions:v1
ARG baseimage
FROM ${baseimage}
PYENV 3.8 venv1 reqs/venv1.txt
COPY foo bar
PYENV 3.10 venv2
RUN mkdir /tmp/bar

FROM apache/airflow:2.10.3 AS build
USER root
RUN apt-get update
PYENV 3.12 tools
FROM build
PYENV 3.12 other

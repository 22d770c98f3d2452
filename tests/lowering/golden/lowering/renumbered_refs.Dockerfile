FROM python:3.12-slim-bookworm AS tools
RUN echo hi > /x

FROM quay.io/astronomer/astro-runtime:12.1.0
ARG PIP_INDEX_URL
PYENV 3.11 a
COPY --from=0 /x /x

FROM debian:bookworm-slim
ONBUILD COPY --from=1 /a /a
PYENV 3.11 b
COPY --from=1 /usr/local/airflow /p
RUN --mount=type=bind,from=1,source=/x,target=/y \
    --mount=type=cache,target=/c cat /y

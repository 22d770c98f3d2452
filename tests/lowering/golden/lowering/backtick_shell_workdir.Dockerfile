# escape=`
FROM quay.io/astronomer/astro-runtime:3.0-2 AS run
SHELL ["pwsh", "-Command"]
WORKDIR C:/work
PYENV `
  # the venv for reports
  3.13 `
  reports
RUN echo done

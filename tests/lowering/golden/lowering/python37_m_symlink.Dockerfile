ARG baseimage
FROM ${baseimage}
PYENV 3.7 venv1 reqs/venv1.txt
COPY foo bar

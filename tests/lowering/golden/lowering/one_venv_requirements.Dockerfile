FROM quay.io/astronomer/astro-runtime:12.1.0
PYENV 3.11 venv1 reqs/venv1.txt

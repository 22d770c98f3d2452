ARG ver=11.12.0
FROM quay.io/astronomer/astro-runtime:${ver}
PYENV 3.11 x

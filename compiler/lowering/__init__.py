"""The PYENV pass and what it needs to know: base images, Python versions, the build context."""

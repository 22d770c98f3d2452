FROM apache/airflow:2.10.1-python3.12
# the body is requirements: outside the heredoc BuildKit would take each line for an instruction
PYENV --installer=uv 3.12 etl <<-"REQS"
	requests==2.32.3
	six==1.16.0 ; python_version >= "3"
	REQS
RUN echo "after"

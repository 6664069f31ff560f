# The nba_pipeline code location: a Dagster gRPC code server the webserver and daemon load the
# definitions from. On Kubernetes the K8sRunLauncher starts every run in its own pod of this image.
#   docker build --build-arg NBA_PIPELINE_BUILD_SHA=$(git rev-parse HEAD) -t nba-pipeline:$(git rev-parse --short HEAD) .
# Checked offline by nba_pipeline_tests/test_deploy.py (no Docker engine there).
FROM python:3.11-slim

# The commit being built; the code records it with the package version on every materialization.
ARG NBA_PIPELINE_BUILD_SHA=dev
# Run pods read the instance the Helm chart writes (Postgres storage, K8s run launcher), so the image
# needs dagster-postgres (also a dependency of the package) and dagster-k8s (a deployment dependency
# only), both at the integration family's version pinned in setup.py.
ARG DAGSTER_INTEGRATIONS_VERSION=0.29.27

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/nba_pipeline
COPY setup.py ./
COPY nba_pipeline ./nba_pipeline
RUN pip install . \
        "dagster-postgres==${DAGSTER_INTEGRATIONS_VERSION}" \
        "dagster-k8s==${DAGSTER_INTEGRATIONS_VERSION}" \
    && groupadd --gid 10001 nba \
    && useradd --uid 10001 --gid 10001 --create-home nba

# A numeric user, so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
WORKDIR /home/nba

ENV NBA_PIPELINE_ENV=prod \
    NBA_PIPELINE_HOME=/home/nba/nba_pipeline_home \
    NBA_PIPELINE_BUILD_SHA=${NBA_PIPELINE_BUILD_SHA}

EXPOSE 4000
CMD ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", "4000", "-m", "nba_pipeline.definitions", "--location-name", "nba_pipeline"]

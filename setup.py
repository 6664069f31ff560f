from setuptools import find_packages, setup

# Dagster's webserver and integration packages each pin one exact core version: the family moves
# together (see README, "Versions").
DAGSTER = "1.13.27"
DAGSTER_INTEGRATIONS = "0.29.27"

setup(
    name="nba_pipeline",
    version="0.1.0",
    description="Daily NBA player-points props predictions as one Dagster asset graph.",
    packages=find_packages(exclude=["nba_pipeline_tests*", "benchmarks*"]),
    python_requires=">=3.11,<3.13",
    install_requires=[
        f"dagster=={DAGSTER}",
        f"dagster-webserver=={DAGSTER}",
        f"dagster-duckdb=={DAGSTER_INTEGRATIONS}",
        f"dagster-duckdb-pandas=={DAGSTER_INTEGRATIONS}",
        f"dagster-postgres=={DAGSTER_INTEGRATIONS}",
        f"dagster-gcp=={DAGSTER_INTEGRATIONS}",
        f"dagster-gcp-pandas=={DAGSTER_INTEGRATIONS}",
        f"dagster-slack=={DAGSTER_INTEGRATIONS}",
        "pandas>=2.2,<3",
        "numpy>=1.26",
        "duckdb>=1.1",
        "catboost>=1.2",
        "nba_api>=1.10",
        "httpx>=0.27",
    ],
    extras_require={
        "test": ["pytest>=8"],
    },
    entry_points={"console_scripts": ["nba-pipeline=nba_pipeline.cli:main"]},
)

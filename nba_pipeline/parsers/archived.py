"""Payloads read back from the archive (each verified against the sha256 recorded when it was archived)
and parsed into one frame for a range of dates: what every Phase 2 table starts from."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from nba_pipeline.parsers import PayloadError
from nba_pipeline.sources import base as src
from nba_pipeline.storage import BlobStore, list_archived, read_archived


def load_archived(archive: BlobStore, source: src.NbaSource, endpoint: str, day: dt.date, latest_only: bool):
    for f in list_archived(archive, source.source_name, endpoint, day, latest_only=latest_only):
        # Verified against the sha256 recorded at archive time: a changed file fails the step here,
        # naming it, before a byte of it is parsed.
        raw = read_archived(archive, f.path, day)
        try:
            body = json.loads(raw) if f.path.endswith(".json") else raw.decode()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            # A truncated download or an error page the service returned: the archived file stays
            # as it is (nothing lost); the message names the source, date and file.
            problem = (
                "an HTML page, not JSON (an error page from the service?)"
                if raw.lstrip()[:1] == b"<"
                else f"not valid JSON ({exc})"
            )
            raise PayloadError(
                endpoint=f"{source.source_name} {endpoint}",
                game_date=day,
                path=archive.uri(f.path),
                field="(whole payload)",
                problem=problem,
            ) from None
        yield f, body


def concat_frames(frames: list[pd.DataFrame], spec) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return spec.empty()
    columns = list(dict.fromkeys(c for f in frames for c in f.columns))
    # pandas is changing how concat types a column that is all-NA in one of the frames: leave such
    # columns out and restore them after, so types come from the frames that hold values (the spec
    # casts every column on write anyway).
    return pd.concat([f.dropna(axis=1, how="all") for f in frames], ignore_index=True).reindex(columns=columns)


def parse_archived(
    archive: BlobStore,
    source: src.NbaSource,
    endpoint: str,
    dates: list[dt.date],
    spec,
    parse,
    latest_only: bool,
    dedupe: bool = True,
) -> pd.DataFrame:
    """Every archived payload of `endpoint` for the dates through `parse(body, day, file)`, each row
    tagged with its file; a row seen in two payloads keeps the later one (by primary key)."""
    frames = [
        parse(body, day, f).assign(source_file=f.path)
        for day in dates
        for f, body in load_archived(archive, source, endpoint, day, latest_only=latest_only)
    ]
    frame = concat_frames(frames, spec)
    if dedupe and len(frame):
        frame = frame.drop_duplicates(list(spec.primary_key), keep="last")
    return frame


def records_archived(
    archive: BlobStore,
    source: src.NbaSource,
    endpoint: str,
    dates: list[dt.date],
    spec,
    records,
    latest_only: bool = False,
    dedupe: bool = True,
) -> pd.DataFrame:
    """:func:`parse_archived` with parsers that return records: one frame for the whole range, not
    one per payload (the odds time series keeps every archived snapshot, not only the latest)."""
    rows = []
    for day in dates:
        for f, body in load_archived(archive, source, endpoint, day, latest_only=latest_only):
            for rec in records(body, day, f):
                rec["source_file"] = f.path
                rows.append(rec)
    if not rows:
        return spec.empty()
    frame = pd.DataFrame(rows)
    return frame.drop_duplicates(list(spec.primary_key), keep="last") if dedupe else frame

"""CatBoost models as reproducible bytes: the artifact format of the systems that fit CatBoost."""

from __future__ import annotations

import os
import tempfile

# CatBoost writes a random model GUID and the wall-clock finish time into the file; without them the
# same training rows and parameters give the same bytes, so a model id (its sha256) names a model.
_UNSTABLE_METADATA = ("model_guid", "train_finish_time")


def to_bytes(model) -> bytes:
    """A fitted CatBoost model as the bytes of its .cbm file (reproducible: see _UNSTABLE_METADATA)."""
    metadata = model.get_metadata()
    for key in _UNSTABLE_METADATA:
        if key in metadata:
            del metadata[key]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.cbm")
        model.save_model(path)
        with open(path, "rb") as fh:
            return fh.read()


def load(artifact: bytes):
    """The CatBoost model of a .cbm file's bytes."""
    # Optional heavy dependency (about a second of imports), loaded only where a model is used.
    from catboost import CatBoostRegressor

    model = CatBoostRegressor()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.cbm")
        with open(path, "wb") as fh:
            fh.write(artifact)
        model.load_model(path)
    return model

"""The 60 legacy features (legacy-system.md 4.1), each defined once: name, meaning, category, source,
computation, default and whether it is optional. Their order is the store's column order (feature
``index``); a new feature is one more definition appended to ``extended.py``.
"""

from __future__ import annotations

import dataclasses

from nba_pipeline.domain.features.contract import Feature
from nba_pipeline.domain.features.core import CORE
from nba_pipeline.domain.features.extended import EXTENDED

_DEFINITIONS: tuple[Feature, ...] = (*CORE, *EXTENDED)

FEATURES: tuple[Feature, ...] = tuple(dataclasses.replace(f, index=i) for i, f in enumerate(_DEFINITIONS))

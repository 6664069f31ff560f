"""Pure domain logic on plain DataFrames, one concern per module: names, teams and the legacy
formulas; game dates (``dates``); betting arithmetic (``betting``); Phase 3 ``analytics``; point-in-time
``history``; Phase 4 ``precompute`` and the ``features``; prediction ``systems``, their walk-forward
``model`` and the ``predictions``; ``grading``, ``evaluation`` and the website's ``exports``. No Dagster
APIs and no reads of their own: what a computation needs is passed in (the model store included)."""

"""Phase 1 clients behind one interface (``base``): ``live``, ``historical``, ``simulated`` and ``archive``."""

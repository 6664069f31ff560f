"""fair_line_v1: ``line_anchored_v1`` anchored on the books' fair line instead of their median line.

20.5 at -130 says something other than 20.5 at +110: each book's quote implies a median outcome once
its margin is removed (``line_shopping.implied_median`` at the market's error width), and the fair
line is the median of those over the books whose quotes agree with the others
(``line_shopping.consistent_quotes``). Where one book hangs a line off the consensus at a price that
already pays for the difference, the median line sees value and the fair line does not. The error
width and P(over) come from the same walk-forward calibration as ``line_anchored_v1`` (its width is
measured around the median line: the stored history keeps no prices per book). Serves every market.
"""

from __future__ import annotations

from nba_pipeline.domain.systems.line_anchored_v1 import line_anchored

SYSTEM_ID = "fair_line_v1"
SYSTEM = line_anchored(SYSTEM_ID, features=("vegas_points_line",), residual_model=False, price_aware=True)

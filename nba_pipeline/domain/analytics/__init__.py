"""Phase 3 computations (legacy-system.md section 3) on plain DataFrames.

Completed-game tables take the dates' raw rows; upcoming-game tables take a range of dates and,
for each date D, use only history dated strictly before D (filtered here, whatever the caller
passes), so D's rows are the same whether D runs alone or inside a range.

One concern per module: ``team_games`` (team offense and defense per completed game),
``player_games`` (the player game summary), ``lines`` (the books' pre-tip, main and closing lines),
``injuries`` (the report as known before tip-off), ``upcoming_teams`` (upcoming team context),
``player_form`` and ``upcoming_players`` (upcoming player context). The names below are the
package's interface.
"""

from nba_pipeline.domain.analytics.injuries import latest_injuries
from nba_pipeline.domain.analytics.lines import (
    BOOK_PRIORITY,
    closing_lines,
    game_lines_for_date,
    main_lines,
    pre_tip_lines,
)
from nba_pipeline.domain.analytics.player_games import player_game_summary
from nba_pipeline.domain.analytics.team_games import STAT_COLS, team_defense, team_offense
from nba_pipeline.domain.analytics.upcoming_players import upcoming_player_contexts
from nba_pipeline.domain.analytics.upcoming_teams import haversine_miles, team_games_long, upcoming_team_contexts

__all__ = [
    "BOOK_PRIORITY",
    "STAT_COLS",
    "closing_lines",
    "game_lines_for_date",
    "haversine_miles",
    "latest_injuries",
    "main_lines",
    "player_game_summary",
    "pre_tip_lines",
    "team_defense",
    "team_games_long",
    "team_offense",
    "upcoming_player_contexts",
    "upcoming_team_contexts",
]

"""Insights for product owners: themes, outcomes, the backlog and exports over the learning store.

Wire it in the gateway's lifespan (after :func:`bot.auth.start_auth`)::

    app.state.insights = await start_insights(settings, redis)
    ...
    await stop_insights(app.state.insights)

and ``app.include_router(bot.routers.insights.router)`` (API, dispositions and pages in one router).
"""

from bot.insights.state import InsightsState, start_insights, stop_insights

__all__ = ["InsightsState", "start_insights", "stop_insights"]

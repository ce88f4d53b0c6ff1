"""Everything timed: planning outbox rows, the dispatcher that sends due rows, and the wiring
into PTB's JobQueue (APScheduler)."""

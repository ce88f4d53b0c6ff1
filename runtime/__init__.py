"""Run-time plumbing: configuration, clock, logging and building the Application."""

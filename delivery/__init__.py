"""The one way out for timed and bulk messages (see sender.py)."""

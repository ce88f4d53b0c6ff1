"""Guided conversations as data: definitions in `*.toml`, the pure engine, the loader."""

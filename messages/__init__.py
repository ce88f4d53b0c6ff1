"""Every user-facing text: jinja2 templates under nl/ and en/, rendered by render.py."""

"""The programme's rules (enrolment, sessions, audiences, progress): plain Python, no Telegram."""

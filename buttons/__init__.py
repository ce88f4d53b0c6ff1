"""Typed callback data: one small codec module per feature (ground floor: no Telegram objects).

A button kind is a frozen dataclass with a feature prefix and a readable action:

    @dataclass(frozen=True)
    class OpenHomework(Button, prefix="hw", action="open"):
        assignment_id: int

    OpenHomework(12).pack()            -> "hw:open:12"   (checked against Telegram's 64 bytes)
    OpenHomework.parse("hw:open:12")   -> OpenHomework(assignment_id=12)
    OpenHomework.parse("hw:open:²")    -> None           (anything malformed)

The prefix is shared by the feature's callback data and its conversation states. Which kind
runs which handler, for which roles, is listed in kernbot/composition.py.
"""

"""Text that has broken chat bots before. Each must be stored exactly as typed (within the
question's limit) and shown literally, never interpreted."""

HOSTILE = [
    "<b>vet</b> <script>alert(1)</script> &amp; &lt;",
    "*Markdown* _cursief_ `code` [link](http://example.org)",
    "{{ 7*7 }} {% for x in y %}{% endfor %} ${7*7} #{7*7}",
    "'; DROP TABLE people; --",
    "Robert'); DELETE FROM flow_answers;--",
    "\u202eRight-to-left override\u202c en \u200bzero\u200bwidth\u200b",
    "Emoji 🏙️🚲👩‍👩‍👧 en é ë ç ’ “quotes”",
    "tab\tnew\nline and control \x07\x1b[31m",
    "%s %d %(name)s {0} {name}",
    "a" * 1900,
    "   leading and trailing spaces   ",
    "NULL",
    "null\\0byte",
]

"""Render user-facing text in the person's language, for Telegram HTML.

Templates live in `messages/<lang>/<key>.j2`; a key is the path without `.j2`
(`start/welcome_participant`). `render()` autoescapes (what a user typed shows literally in
Telegram HTML); `plain()` does not escape, for button labels, documents and the console.
Missing templates and missing variables raise (StrictUndefined): tests fail loudly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, meta

LANGUAGES = ("nl", "en")
ROOT = Path(__file__).resolve().parent
_LOCALES = {"nl": "nl_BE", "en": "en_GB"}
# "dinsdag 9 januari 2024 om 10u30" / "Tuesday 9 January 2024 at 10:30"
_PATTERNS = {
    "nl": {"datetime": "EEEE d MMMM y 'om' H'u'mm", "datetime_short": "EEEE d MMMM 'om' H'u'mm",
           "date": "EEEE d MMMM y", "date_short": "EEEE d MMMM", "time": "H'u'mm"},
    "en": {"datetime": "EEEE d MMMM y 'at' HH:mm", "datetime_short": "EEEE d MMMM 'at' HH:mm",
           "date": "EEEE d MMMM y", "date_short": "EEEE d MMMM", "time": "HH:mm"},
}


def first_name(name: str | None) -> str:
    """"Sofie Janssens" -> "Sofie": how a sentence names a person it talks to or about (lists
    for staff keep the full name). A single name stays as it is."""
    parts = (name or "").split()
    return parts[0] if parts else ""


class MessageError(LookupError):
    """A template or variable is missing."""


class Messages:
    def __init__(self, default_language: str = "nl", timezone: str | ZoneInfo = "Europe/Brussels",
                 root: Path = ROOT, content=None) -> None:
        if default_language not in LANGUAGES:
            raise ValueError(f"unknown language {default_language!r}")
        self.default_language = default_language
        self.tz = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        self.root = root
        # Templates rendered with constant values give the same text every time: kept per
        # instance (one per Application), keyed by (key, language, escaped, values).
        self._static: dict[tuple, str] = {}
        self._variables: dict[tuple[str, str], frozenset[str]] = {}
        # Tests and the console may watch what is rendered: fn(key, language, values, text).
        self.observer: Callable[[str, str, dict, str], None] | None = None
        # Programme content in the reader's language (session titles and agendas, homework
        # titles and instructions): the composition root hands in programme.content (`pick`,
        # `is_fallback`); without it every reader gets the Dutch text.
        self.content = content
        self._envs: dict[tuple[str, bool], Environment] = {}
        for lang in LANGUAGES:
            for escape in (True, False):
                self._envs[(lang, escape)] = self._make_env(lang, escape)

    def _make_env(self, lang: str, escape: bool) -> Environment:
        env = Environment(
            loader=FileSystemLoader(str(self.root / lang)),
            autoescape=escape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            # every template compiled once and kept (there are more than jinja's default 400
            # per language), and no file check on each render: templates change with a restart
            cache_size=-1,
            auto_reload=False,
        )
        for name in _PATTERNS[lang]:
            env.filters[name] = self._formatter(lang, name)
        env.filters["first_name"] = first_name
        # {{ 4.0|decimal }}: "4,0" in Dutch, "4.0" in English (one decimal)
        env.filters["decimal"] = lambda value, pattern="0.0": format_decimal(
            value, pattern, locale=_LOCALES[lang])
        env.globals["lang"] = lang
        # {{ session|content("title") }}: the text in this language, the Dutch one marked
        # "(in Dutch)" when there is no English; content("title", mark=False) leaves the mark off.
        env.filters["content"] = lambda obj, name, mark=True: self.programme_text(
            obj, name, lang, mark=mark)
        return env

    def _formatter(self, lang: str, kind: str):
        pattern = _PATTERNS[lang][kind]
        locale = _LOCALES[lang]

        def fmt(value: datetime | date | None) -> str:
            if value is None:
                return ""
            if isinstance(value, datetime):
                if value.tzinfo is None:
                    raise ValueError("naive datetime given to a template")
                local = value.astimezone(self.tz)
                if kind.startswith("date") and not kind.startswith("datetime"):
                    return format_date(local.date(), pattern, locale=locale)
                if kind == "time":
                    return format_time(local, pattern, locale=locale)
                return format_datetime(local, pattern, locale=locale, tzinfo=self.tz)
            return format_date(value, pattern, locale=locale)

        return fmt

    def language(self, lang: str | None) -> str:
        return lang if lang in LANGUAGES else self.default_language

    def _render(self, key: str, lang: str | None, escape: bool, ctx: dict) -> str:
        env = self._envs[(self.language(lang), escape)]
        try:
            template = env.get_template(f"{key}.j2")
        except Exception as exc:  # TemplateNotFound and syntax errors
            raise MessageError(f"message {key!r} missing or broken in {self.language(lang)!r}: "
                               f"{exc}") from exc
        text = template.render(**ctx).strip()
        if self.observer is not None:
            self.observer(key, self.language(lang), ctx, text)
        return text

    def render(self, key: str, lang: str | None = None, **ctx) -> str:
        """Telegram HTML, with every variable escaped."""
        return self._render(key, lang, True, ctx)

    def plain(self, key: str, lang: str | None = None, **ctx) -> str:
        """Plain text (button labels, documents, file names): nothing escaped."""
        return self._render(key, lang, False, ctx)

    def variables(self, key: str, lang: str | None = None) -> frozenset[str]:
        """The names a template reads from its values (jinja's own analysis, once per key):
        a view can tell whether person-specific values change its text at all."""
        lang = self.language(lang)
        found = self._variables.get((key, lang))
        if found is None:
            env = self._envs[(lang, True)]
            source, _name, _uptodate = env.loader.get_source(env, f"{key}.j2")
            found = frozenset(meta.find_undeclared_variables(env.parse(source)))
            self._variables[(key, lang)] = found
        return found

    STATIC_LIMIT = 20_000

    def static(self, key: str, lang: str | None = None, *, html: bool = False, **fixed) -> str:
        """`render` (html=True) or `plain`, computed once per instance: only for templates whose
        values are constants (option labels, button labels, prompts without names in them)."""
        cache_key = (key, lang, html, tuple(sorted(fixed.items())))
        text = self._static.get(cache_key)
        if text is None:
            text = (self.render if html else self.plain)(key, lang, **fixed)
            if len(self._static) >= self.STATIC_LIMIT:
                self._static.clear()  # a safety valve; the shipped flows need a few thousand
            self._static[cache_key] = text
        elif self.observer is not None:
            self.observer(key, self.language(lang), fixed, text)
        return text

    def programme_text(self, obj, name: str, lang: str | None, *, mark: bool = True) -> str:
        """A session's or assignment's `name` (title, agenda, instructions) for a reader of
        `lang`: the English text when given, else the Dutch one, followed by the mark
        `common/in_dutch` (unless mark=False)."""
        lang = self.language(lang)
        if not hasattr(obj, name):
            raise MessageError(f"{type(obj).__name__} has no {name!r} to show")
        if self.content is None:
            return getattr(obj, name, "") or ""
        text = self.content.pick(obj, name, lang)
        if mark and self.content.is_fallback(obj, name, lang):
            text = f"{text} {self.plain('common/in_dutch', lang)}"
        return text

    def has(self, key: str, lang: str) -> bool:
        return (self.root / lang / f"{key}.j2").is_file()

    def keys(self, lang: str) -> set[str]:
        base = self.root / lang
        return {str(p.relative_to(base).with_suffix("")) for p in base.rglob("*.j2")
                if not p.name.startswith("_")}

    def format(self, value: datetime, lang: str | None, kind: str = "datetime") -> str:
        return self._formatter(self.language(lang), kind)(value)

    def check_complete(self) -> None:
        """Every key exists in every language (called at start-up and in tests)."""
        sets = {lang: self.keys(lang) for lang in LANGUAGES}
        every = set().union(*sets.values())
        missing = [f"{lang}/{key}" for lang in LANGUAGES for key in sorted(every - sets[lang])]
        if missing:
            raise MessageError("messages missing: " + ", ".join(missing))

"""The office's letterhead for a bulletin, from the settings: name, addressees, issue number,
date, and its own wording if it has a template file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot import texts
from bot.bulletin.compose import Letter
from bot.bulletin.wording import DEFAULT, Wording, load_wording
from bot.settings import Settings


def office_letter(
    settings: Settings, day: date, issue: str | None = None, template: Path | str | None = None
) -> tuple[Letter, Wording]:
    chosen = template or settings.bulletin_template
    letter = Letter(
        office=settings.office_name.strip(),
        addressees=settings.bulletin_addressees.strip() or texts.DEFAULT_ADDRESSEES,
        day=day,
        issue=(issue if issue is not None else settings.bulletin_issue).strip(),
    )
    return letter, load_wording(chosen) if chosen else DEFAULT

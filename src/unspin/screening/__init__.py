"""Screening many documents: read, check, match known phrases, report (see :mod:`.run`)."""

"""``python -m dalil.display.i18n``: update the catalogs, list untranslated strings."""

from dalil.display.i18n import main

main()

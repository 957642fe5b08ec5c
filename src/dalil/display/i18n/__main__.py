"""``python -m dalil.web.i18n``: update the catalogs, list untranslated strings."""

from dalil.web.i18n import main

main()

"""``python -m dalil.cli``."""

from dalil.cli import main

main()

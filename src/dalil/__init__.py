"""dalil — evidence, protection and analysis for investigations of mass killings of civilians."""

__version__ = "0.1.0"

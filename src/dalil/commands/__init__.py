"""Click command modules, one per capability; each exposes ``register(cli)``."""

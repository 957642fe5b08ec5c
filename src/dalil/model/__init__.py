"""Domain records (SQLAlchemy 2 ORM), one module per aggregate."""

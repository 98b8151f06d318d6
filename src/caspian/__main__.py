"""``python -m caspian`` runs the command line."""

from caspian.cli import app

app()

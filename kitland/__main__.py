"""``python -m kitland`` runs the command line."""

from kitland.cli import run

run()

"""`flask consultations` commands."""
from flask.cli import AppGroup

consultations_cli = AppGroup("consultations", help="consultations")

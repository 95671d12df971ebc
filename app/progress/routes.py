"""Progress dashboard (issue: progress)."""
from flask import Blueprint

bp = Blueprint("progress", __name__, template_folder="templates")

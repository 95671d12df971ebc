"""Review of interference findings (issue: interference)."""
from flask import Blueprint

bp = Blueprint("interference_review", __name__, template_folder="templates")

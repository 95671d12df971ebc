"""Self-assessment import, index computation and the published workbook (issue: index)."""
from flask import Blueprint

bp = Blueprint("index", __name__, template_folder="templates")

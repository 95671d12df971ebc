"""The respondent's form and enumerator entry (issue: answering)."""
from flask import Blueprint

bp = Blueprint("survey", __name__, template_folder="templates")

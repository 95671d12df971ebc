"""Respondent lists: template, upload, validation, submit and approve (issue: lists)."""
from flask import Blueprint

bp = Blueprint("lists", __name__, template_folder="templates")

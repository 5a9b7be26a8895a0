"""The `supervisor` blueprint, which every module of this folder adds its routes to."""
from flask import Blueprint

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")

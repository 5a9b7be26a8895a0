"""The `traveler` blueprint, which every module of this folder adds its routes to."""
from flask import Blueprint

bp = Blueprint("traveler", __name__, url_prefix="/my")

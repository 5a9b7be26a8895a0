"""The `public` blueprint, which every module of this folder adds its routes to."""
from flask import Blueprint

bp = Blueprint("public", __name__)

"""The `account` blueprint, which every module of this folder adds its routes to."""
from flask import Blueprint

bp = Blueprint("account", __name__)

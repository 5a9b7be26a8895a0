"""The `port` blueprint, which every module of this folder adds its routes to: port
officers, at the border of their country."""
from flask import Blueprint

bp = Blueprint("port", __name__, url_prefix="/port")

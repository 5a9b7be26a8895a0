"""The ceiling for the web figures: a bare Flask "hello" served by the identical gunicorn
command as the product (GET and POST, so claim-next compares like with like)."""
from flask import Flask

app = Flask(__name__)


@app.route("/", methods=["GET", "POST"])
def hello():
    return "hello"

"""WTForms shared by the browser pages and the JSON API, so both apply the same rules:
``base`` (what every form shares), ``petition``, ``filing`` (the guided steps),
``decision``, ``profile``."""

"""Demo data for a first look (``flask --app wsgi seed-demo``)."""


def seed():
    return ["(demo data arrives with the journeys)"]

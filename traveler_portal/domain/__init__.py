"""Domain services: the rules of the product, one module per concept.

Views, API handlers, CLI commands and Celery tasks call these; none of them sets a
petition's status or commits on its own.
"""

"""Stored files sent back exactly as stored, to anyone who may see their petition (404
otherwise), with headers that keep an upload from running anything: a document from the
petition's pages, a notice from the browser or the API."""
from flask import abort, send_file

from ...domain import access, documents, notices


def stream_document(user, receipt_number: str, document_id: str):
    """One stored document, as a download (never rendered in the portal's origin), for
    anyone who may see its petition (404 otherwise)."""
    petition = access.get_petition(user, receipt_number)
    doc = next((d for d in petition.documents if d.id == document_id), None)
    path = documents.path_of(doc) if doc else None
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=doc.content_type, as_attachment=True,
                         download_name=documents.download_name(doc), conditional=True,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Nothing in an upload may run or load anything; 'self' for objects lets the
    # browser's own PDF viewer show it ('none' would block the viewer in Chromium).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'")
    return response


def send_notice(notice, path):
    """The stored bytes as they were written, for anyone who may see the petition."""
    response = send_file(path, mimetype="application/pdf", as_attachment=False,
                         download_name=notices.download_name(notice), conditional=True,
                         etag=notice.sha256, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; object-src 'self'; frame-ancestors 'self'")
    return response

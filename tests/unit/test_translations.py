"""English and French stay equal: every marked message has a French translation that keeps
its placeholders, no template shows text outside gettext, every reference text has its
French, and the catalogue the app loads is the one in the repository."""
import re
import tomllib
from zoneinfo import available_timezones

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.language_checks import ROOT, templates, untranslated_template_text

PO = ROOT / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
DATA = ROOT / "traveler_portal" / "reference" / "data"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdif]")
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def _source_messages() -> dict[str, str]:
    """Every message the code and templates mark, as `make translations` extracts it
    (so a string added today is checked without anyone running the extraction)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def _catalogue():
    with open(PO, "rb") as fh:
        return read_po(fh, locale="fr")


def test_every_marked_message_has_a_french_translation():
    catalogue = _catalogue()
    missing = []
    for msgid, where in sorted(_source_messages().items(), key=lambda kv: kv[1]):
        message = catalogue.get(msgid)
        forms = [] if message is None else (
            list(message.string) if isinstance(message.string, (list, tuple))
            else [message.string])
        if message is None or message.fuzzy or not forms or not all(forms):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, ("messages without a (non-fuzzy) French translation - run "
                         "`make translations` and translate them in " + str(PO) + ":\n"
                         + "\n".join(missing))


def test_french_translations_keep_every_placeholder():
    wrong = []
    for message in _catalogue():
        if not message.id or not message.string:
            continue
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if string and sorted(PLACEHOLDER.findall(string)) != wanted:
                wrong.append(f"{ids[0]!r} -> {string!r}")
    assert not wrong, "placeholders dropped or renamed:\n" + "\n".join(wrong)


def test_no_template_shows_text_outside_gettext():
    found = {str(path.relative_to(ROOT)): bad for path in templates()
             if (bad := untranslated_template_text(path))}
    assert not found, ("visible text outside _() (wrap it, or mark a deliberate phrase in "
                       f"the other language with lang=\"..\"): {found}")


def test_the_checker_sees_text_outside_gettext(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<h1>{{ _("Title") }}</h1><p>Plain words</p><img alt="A picture">'
                    '<p lang="fr">Bonjour</p><td>–</td><td>CSV</td>')
    assert untranslated_template_text(page) == ["Plain words", "A picture"]
    mail = tmp_path / "mail.txt"
    mail.write_text('{{ _("Hello") }}\nDear {{ name }},\n{{ url }}\n')
    assert untranslated_template_text(mail) == ["Dear"]


TEXT_KEYS = {"name", "label", "hint", "description", "decided_by", "title", "explanation"}


def _texts(node, path=""):
    """(where, value) of every reader-facing text in a TOML tree; rule names and field
    names are identifiers, not text."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _texts(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}.{key}"
            identifier = key == "name" and (".rule[" in path or ".fields[" in path) \
                and isinstance(value, str)
            if key in TEXT_KEYS and not identifier:
                yield here, value
            elif isinstance(value, (dict, list)):
                yield from _texts(value, here)


def test_every_reference_text_is_written_in_english_and_french():
    missing = []
    for name in ("categories", "ports", "queues", "reason_codes"):
        with open(DATA / f"{name}.toml", "rb") as fh:
            data = tomllib.load(fh)
        for where, value in _texts(data, name):
            if not (isinstance(value, dict) and value.get("en") and value.get("fr")):
                missing.append(f"{where}: {value!r}")
    assert not missing, "reference texts without both en and fr:\n" + "\n".join(missing)


def test_every_port_names_its_time_zone():
    with open(DATA / "ports.toml", "rb") as fh:
        ports = tomllib.load(fh)["port"]
    zones = available_timezones()
    assert all(port.get("time_zone") in zones for port in ports), \
        [p["code"] for p in ports if p.get("time_zone") not in zones]


def test_the_app_loads_the_compiled_catalogue_from_the_repository(app):
    from flask_babel import force_locale, gettext  # noqa: PLC0415
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(ROOT / "translations")
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_mtime >= PO.stat().st_mtime
    with app.test_request_context("/"), force_locale("fr"):
        assert gettext("Sign in") == "Se connecter"


def test_the_page_checker_finds_english_but_not_names_codes_or_marked_phrases():
    from tests.language_checks import english_sentences  # noqa: PLC0415
    page = ('<html lang="fr"><body><h1>Votre demande</h1>'
            '<p>Your petition is with the officer.</p>'
            '<p>Amélie Tremblay – US-2026-ABC123 (NOT_ELIGIBLE_CATEGORY)</p>'
            '<p lang="en">Welcome to the portal and thank you.</p>'
            '<a href="/x" aria-label="Open the case for the traveler">Ouvrir</a></body></html>')
    assert english_sentences(page) == ["Your petition is with the officer.",
                                       "Open the case for the traveler"]

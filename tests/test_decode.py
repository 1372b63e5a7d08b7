import codecs

from hypothesis import given
from hypothesis import strategies as st

from pipelines.cleaning.decode import decode_html

FRENCH = "<p>Le garçon a mangé une crème brûlée à côté de l'église. Très élégant.</p>"


def test_bom_wins_over_everything():
    body = codecs.BOM_UTF8 + '<meta charset="iso-8859-1"><p>café</p>'.encode()
    assert (
        decode_html(body, "text/html; charset=cp1251") == '<meta charset="iso-8859-1"><p>café</p>'
    )


def test_meta_charset():
    body = '<meta charset="windows-1251"><p>Привет</p>'.encode("cp1251")
    assert "Привет" in decode_html(body)


def test_http_equiv_charset():
    body = (
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-2"><p>Zażółć</p>'
    ).encode("iso-8859-2")
    assert "Zażółć" in decode_html(body)


def test_header_charset_when_page_declares_none():
    body = "<p>Straße</p>".encode("cp1252")
    assert decode_html(body, "text/html; charset=ISO-8859-1") == "<p>Straße</p>"


def test_header_that_lies_about_utf8_falls_back():
    body = FRENCH.encode("cp1252")
    assert decode_html(body, "text/html; charset=utf-8") == FRENCH


def test_latin1_label_on_utf8_bytes_is_utf8():
    body = b'<meta charset="iso-8859-1">' + "<p>café</p>".encode()
    assert decode_html(body).endswith("<p>café</p>")


def test_undeclared_utf8():
    assert decode_html("<p>naïve — “quoted”</p>".encode()) == "<p>naïve — “quoted”</p>"


def test_undeclared_legacy_western_text():
    assert decode_html(FRENCH.encode("cp1252")) == FRENCH


def test_unknown_label_is_ignored():
    assert decode_html(b'<meta charset="bogus"><p>ok</p>') == '<meta charset="bogus"><p>ok</p>'


def test_xml_declaration_is_dropped():
    body = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<html><p>caf\xe9</p></html>'
    assert decode_html(body).strip() == "<html><p>café</p></html>"


@given(st.binary(max_size=2000), st.one_of(st.none(), st.text(max_size=40)))
def test_never_raises(body, content_type):
    assert isinstance(decode_html(body, content_type), str)

import io
import json
from dataclasses import dataclass

from scrapy.exporters import JsonLinesItemExporter

from crawler.exporters import RecordLinesExporter
from crawler.items import Article, Author, Breadcrumb, Image


def _article() -> Article:
    return Article(
        url="https://harbor-herald.test/news/1",
        headline="Port vote \u201cpasses\u201d \u2014 at last",
        articleBody='Caf\u00e9 owners cheered.\n\nA second paragraph with "quotes" and \\.',
        id="0123456789abcdef",
        authors=[Author("Ana D\u00edaz", "By Ana D\u00edaz")],
        mainImage=Image("https://harbor-herald.test/a.jpg", caption="The port", width=1200),
        images=[Image("https://harbor-herald.test/b.jpg")],
        breadcrumbs=[Breadcrumb("News", "https://harbor-herald.test/news")],
        keywords=["port", "vote"],
        languageConfidence=0.93,
        wordCount=11,
        flags=["short"],
    )


def _lines(exporter_class: type[JsonLinesItemExporter], item: object, **options) -> bytes:
    output = io.BytesIO()
    exporter = exporter_class(output, encoding="utf-8", **options)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    return output.getvalue()


def test_a_record_is_the_json_scrapys_exporter_writes_compactly():
    ours = _lines(RecordLinesExporter, _article())
    scrapys = _lines(JsonLinesItemExporter, _article())
    assert ours.endswith(b"\n") and ours.count(b"\n") == 1
    assert json.loads(ours) == json.loads(scrapys)
    assert list(json.loads(ours)) == list(json.loads(scrapys))  # the fields in order
    assert b'"authors":[{"name":"Ana D\xc3\xadaz"' in ours  # UTF-8, no \\u escapes
    assert len(ours) < len(scrapys)


def test_chosen_fields_and_indent_are_scrapys():
    for options in ({"fields_to_export": ["headline", "id"]}, {"indent": 2}):
        ours = _lines(RecordLinesExporter, _article(), **options)
        assert ours == _lines(JsonLinesItemExporter, _article(), **options)
    assert list(json.loads(_lines(RecordLinesExporter, _article(), fields_to_export=["id"]))) == [
        "id"
    ]


@dataclass
class _Counter:
    name: str
    count: int


def test_what_orjson_refuses_and_non_dataclasses_go_through_scrapys_exporter():
    huge = _Counter("views", 2**70)  # orjson encodes 64-bit integers only
    assert _lines(RecordLinesExporter, huge) == _lines(JsonLinesItemExporter, huge)
    assert json.loads(_lines(RecordLinesExporter, huge))["count"] == 2**70
    plain = {"headline": "A dict item", "wordCount": 3}
    assert _lines(RecordLinesExporter, plain) == _lines(JsonLinesItemExporter, plain)

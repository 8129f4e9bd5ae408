"""Read back what the documents module wrote: OpenDocument parts, ZIP members, CSV files."""
import csv
import io
import zipfile
import xml.etree.ElementTree as ET

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def odt_parts(data):
    """Return (content, styles, manifest) of an .odt as parsed XML trees."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return tuple(ET.fromstring(archive.read(name)) for name in ("content.xml", "styles.xml",
                                                                    "META-INF/manifest.xml"))


def odt_text(data):
    """Return all the text of an .odt's body, paragraphs separated by new lines."""
    content = odt_parts(data)[0]
    body = content.find("office:body", NS)
    blocks = []
    for element in body.iter():
        if element.tag in (f"{{{NS['text']}}}p", f"{{{NS['text']}}}h"):
            blocks.append("".join(element.itertext()))
    return "\n".join(blocks)


def read_csv(data):
    """Return the rows of a CSV file written for French spreadsheets (BOM, semicolons)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))

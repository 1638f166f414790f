#!/usr/bin/env python3
"""Writes the office files and the archive of corpus/documents/ from the
texts in this folder: office.py SRC_DIR OUT_DIR."""
import os
import sys
import zipfile
from xml.sax.saxutils import escape

src, out = sys.argv[1], sys.argv[2]
FIXED = (2024, 5, 6, 9, 0, 0)  # member times, so the files are reproducible


def lines(name):
    with open(os.path.join(src, name), encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip()]


def put(z, name, data, compress=zipfile.ZIP_DEFLATED):
    info = zipfile.ZipInfo(name, FIXED)
    info.compress_type = compress
    z.writestr(info, data)


def docx(path, paras, title, author, created):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % escape(p)
                   for p in paras)
    core = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:title>%s</dc:title><dc:creator>%s</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created></cp:coreProperties>'
            % (escape(title), escape(author), created))
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types '
             'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Override PartName="/word/document.xml" ContentType="application/'
             'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    with zipfile.ZipFile(path, "w") as z:
        put(z, "[Content_Types].xml", types)
        put(z, "word/document.xml", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document %s><w:body>%s</w:body></w:document>' % (w, body))
        put(z, "docProps/core.xml", core)


def odt(path, paras, title, author, created):
    body = '<text:h text:outline-level="1">%s</text:h>' % escape(paras[0])
    body += "".join("<text:p>%s</text:p>" % escape(p) for p in paras[1:])
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '%s</office:text></office:body></office:document-content>' % body)
    meta = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            '<dc:title>%s</dc:title><meta:initial-creator>%s</meta:initial-creator>'
            '<meta:creation-date>%s</meta:creation-date></office:meta></office:document-meta>'
            % (escape(title), escape(author), created))
    with zipfile.ZipFile(path, "w") as z:
        put(z, "mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        put(z, "content.xml", content)
        put(z, "meta.xml", meta)


docx(os.path.join(out, "letter-plate-readers.docx"), lines("docx-letter.txt"),
     "Open letter on license plate readers", "Bellwether Privacy Institute", "2024-04-22T10:00:00Z")
odt(os.path.join(out, "oversight-board-minutes.odt"), lines("odt-minutes.txt"),
    "Eastvale oversight board minutes", "Board secretary", "2023-10-16T12:00:00")
with zipfile.ZipFile(os.path.join(out, "records-release-OLR-2024-0311.zip"), "w") as z:
    with open(os.path.join(src, "zip-cover.txt"), encoding="utf-8") as f:
        put(z, "cover-letter.txt", f.read())
    with open(os.path.join(src, "zip-index.html"), encoding="utf-8") as f:
        put(z, "records/index.html", f.read())

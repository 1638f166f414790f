#!/usr/bin/env python3
"""Writes the office and archive fixtures of tests/e2e/documents.sh from
text written here (no prose from elsewhere):

    mkoffice.py docx OUT        a Word document with metadata
    mkoffice.py odt OUT         an OpenDocument text with metadata
    mkoffice.py rtf OUT         an RTF letter with \\info
    mkoffice.py doc OUT         a Word 97 .doc (OLE2 compound file, by hand)
    mkoffice.py zip OUT FILE... a zip of the files (stored by base name)
    mkoffice.py nested OUT      a zip holding a zip holding a text
    mkoffice.py bomb OUT MB     a zip of one member of MB megabytes of zeros
    mkoffice.py mail OUT PDF    a mail with the PDF attached
"""
import base64
import io
import os
import struct
import sys
import zipfile

DOCX_BODY = [
    "Memorandum on license plate readers",
    "The city council asked the records office how long plate reads are kept.",
    "Reads are kept for ninety days unless a case number is attached.",
    "Footnote-free text ends here with the word quokkaplate.",
]


def w_p(text):
    return ('<w:p><w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % text)


def docx(out):
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = "".join(w_p(t) for t in DOCX_BODY)
    # A tracked deletion is not the document's text.
    body += ('<w:p><w:del><w:r><w:delText>deletedwordzz</w:delText></w:r></w:del>'
             '<w:r><w:t>Kept</w:t></w:r><w:r><w:tab/><w:t>after a tab</w:t></w:r></w:p>')
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document %s><w:body>%s</w:body></w:document>' % (ns, body))
    core = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:title>Plate reader retention memo</dc:title><dc:creator>Priya Natarajan</dc:creator>'
            '<cp:keywords>ALPR; retention</cp:keywords><dc:subject>Records request</dc:subject>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2019-06-11T09:30:00Z</dcterms:created>'
            '</cp:coreProperties>')
    app = ('<?xml version="1.0" encoding="UTF-8"?><Properties '
           'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           '<Pages>2</Pages></Properties>')
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types '
             'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Override PartName="/word/document.xml" ContentType="application/'
             'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("word/document.xml", doc)
        z.writestr("docProps/core.xml", core)
        z.writestr("docProps/app.xml", app)


def odt(out):
    content = ('<?xml version="1.0" encoding="UTF-8"?>'
               '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
               '<text:h text:outline-level="1">Notes from the transit hearing</text:h>'
               '<text:p>Riders spoke about fare<text:s text:c="2"/>enforcement cameras on buses.</text:p>'
               '<text:p>The agency promised a report on <text:span>wombatfare</text:span> by May.</text:p>'
               '<office:annotation><text:p>annotationonlyzz</text:p></office:annotation>'
               '</office:text></office:body></office:document-content>')
    meta = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
            'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><office:meta>'
            '<dc:title>Transit hearing notes</dc:title><meta:initial-creator>Tomas Okafor</meta:initial-creator>'
            '<meta:creation-date>2020-02-20T18:00:00</meta:creation-date>'
            '<meta:keyword>transit</meta:keyword><meta:keyword>cameras</meta:keyword>'
            '<meta:document-statistic meta:page-count="1"/></office:meta></office:document-meta>')
    with zipfile.ZipFile(out, "w") as z:
        # The mimetype member comes first, stored, as the format asks.
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        z.writestr("meta.xml", meta, zipfile.ZIP_DEFLATED)


def rtf(out):
    text = (r"{\rtf1\ansi\deff0{\fonttbl{\f0 Times New Roman;}}"
            r"{\info{\title Request for body camera policy}{\author Mireille Santos}"
            r"{\creatim\yr2018\mo10\dy2\hr14\min30}}"
            "\n" r"\f0\fs24 To the records officer,\par" "\n"
            r"Please send the body camera policy in force at the Eastfield precinct.\par" "\n"
            r"The word for this test is caf\'e9latte and pangolinrtf.\par" "\n"
            r"Thank you, Mireille\par}" "\n")
    with open(out, "w", encoding="ascii") as f:
        f.write(text)


# ---- a Word 97 document, by hand ------------------------------------------
# An OLE2 compound file (512-byte sectors, no mini stream: both streams are
# padded to 4096 bytes) with a WordDocument stream (the FIB, then the text
# at offset 0x800, one byte a character) and a 1Table stream holding the
# piece table (CLX) that says where the text is.

DOC_TEXT = ("Minutes of the police oversight board\r"
            "The board reviewed complaints about stops near the stadium.\r"
            "Members asked for data on searches, marked with the word narwhaldoc.\r")


def word_document_stream(text):
    raw = text.encode("cp1252")
    fib = bytearray(0x800)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0x6409, 0x0409, 0)
    # flags: fWhichTblStm (1Table), fExtChar unset
    struct.pack_into("<H", fib, 0x0A, 0x0200)
    struct.pack_into("<H", fib, 0x0C, 0x00BF)  # nFibBack
    struct.pack_into("<I", fib, 0x18, 0x800)   # fcMin
    struct.pack_into("<I", fib, 0x1C, 0x800 + len(raw))  # fcMac
    # FibRgW97 (csw=14), FibRgLw97 (cslw=22), FibRgFcLcb97 (cbRgFcLcb=0x5D)
    struct.pack_into("<H", fib, 0x20, 14)
    struct.pack_into("<H", fib, 0x3E, 22)
    struct.pack_into("<I", fib, 0x40, 0x800 + len(raw))  # cbMac
    struct.pack_into("<I", fib, 0x4C, len(raw))           # ccpText
    struct.pack_into("<H", fib, 0x98, 0x5D)
    # fcClx / lcbClx: the piece table at offset 0 of the table stream
    clx_len = 1 + 4 + 8 + 8
    struct.pack_into("<II", fib, 0x1A2, 0, clx_len)
    data = bytes(fib) + raw
    return data + b"\0" * (max(4096, len(data)) - len(data)), clx_len, len(raw)


def table_stream(nchars):
    # Pcdt: clxt 2, lcb, PlcPcd: two CPs and one 8-byte PCD; fc with
    # bit 30 set means 8-bit text at fc/2.
    plc = struct.pack("<II", 0, nchars) + struct.pack("<HIH", 0, (0x800 * 2) | 0x40000000, 0)
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    return clx + b"\0" * (4096 - len(clx))


def ole(streams):
    """streams: list of (name, bytes), each a multiple of 512 bytes and at
    least 4096 long."""
    sect = 512
    data_sectors = []
    starts = []
    for _, b in streams:
        starts.append(len(data_sectors))
        data_sectors += [b[i:i + sect] for i in range(0, len(b), sect)]
    ndir = 1
    dir_start = len(data_sectors)
    nfat_entries = len(data_sectors) + ndir + 1
    fat_start = dir_start + ndir
    fat = []
    for (name, b), st in zip(streams, starts):
        n = len(b) // sect
        for i in range(n):
            fat.append(st + i + 1 if i + 1 < n else 0xFFFFFFFE)
    fat.append(0xFFFFFFFE)        # directory: one sector
    fat.append(0xFFFFFFFD)        # the FAT sector itself
    fat += [0xFFFFFFFF] * (128 - len(fat))
    assert nfat_entries <= 128

    def entry(name, typ, start, size, child=0xFFFFFFFF, left=0xFFFFFFFF, right=0xFFFFFFFF):
        n = (name + "\0").encode("utf-16-le")
        e = n + b"\0" * (64 - len(n))
        e += struct.pack("<HBB", len(n), typ, 1)
        e += struct.pack("<III", left, right, child)
        e += b"\0" * 16 + b"\0" * 4 + b"\0" * 16
        e += struct.pack("<III", start, size, 0)
        return e
    # Root, then the streams as a right-leaning chain of siblings.
    dirs = entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)
    for i, ((name, b), st) in enumerate(zip(streams, starts)):
        right = i + 2 if i + 1 < len(streams) else 0xFFFFFFFF
        dirs += entry(name, 2, st, len(b), right=right)
    dirs += b"\0" * (sect - len(dirs))
    hdr = bytearray(512)
    hdr[0:8] = bytes([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    struct.pack_into("<HHHHH", hdr, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", hdr, 0x2C, 1)            # FAT sectors
    struct.pack_into("<I", hdr, 0x30, dir_start)    # first directory sector
    struct.pack_into("<I", hdr, 0x38, 4096)         # mini stream cutoff
    struct.pack_into("<II", hdr, 0x3C, 0xFFFFFFFE, 0)  # no mini FAT
    struct.pack_into("<II", hdr, 0x44, 0xFFFFFFFE, 0)  # no DIFAT sectors
    difat = [fat_start] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", hdr, 0x4C, *difat)
    out = bytes(hdr) + b"".join(data_sectors) + dirs + struct.pack("<128I", *fat)
    return out


def doc(out):
    wd, _, n = word_document_stream(DOC_TEXT)
    with open(out, "wb") as f:
        f.write(ole([("WordDocument", wd), ("1Table", table_stream(n))]))


def mkzip(out, files):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            arc = os.path.basename(f) if ":" not in f else f.split(":", 1)[1]
            path = f.split(":", 1)[0]
            z.write(path, arc)


def nested(out):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/note.txt", "A note two archives deep about the gecko protocol.\n")
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("inner.zip", inner.getvalue())
        z.writestr("top.txt", "Top level note naming the axolotl hearing.\n")


def bomb(out, mb):
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("first.txt", "Read before the bomb: the okapi memo.\n")
        with z.open("zeros.txt", "w", force_zip64=True) as w:
            chunk = b"\0" * (1 << 20)
            for _ in range(mb):
                w.write(chunk)


def mail(out, pdf):
    data = base64.encodebytes(open(pdf, "rb").read()).decode("ascii")
    msg = ("From: Lena Fischer <lena@records.example>\n"
           "To: desk@paper.example\n"
           "Subject: The release letter\n"
           "Date: Tue, 5 Jan 2021 10:00:00 +0000\n"
           "Message-ID: <release-1@records.example>\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\n\n"
           "--b1\nContent-Type: text/plain\n\nThe agency's letter is attached.\n\n"
           "--b1\nContent-Type: application/pdf; name=\"release-letter.pdf\"\n"
           "Content-Disposition: attachment; filename=\"release-letter.pdf\"\n"
           "Content-Transfer-Encoding: base64\n\n%s\n--b1--\n" % data)
    with open(out, "w") as f:
        f.write(msg)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "docx":
        docx(out)
    elif kind == "odt":
        odt(out)
    elif kind == "rtf":
        rtf(out)
    elif kind == "doc":
        doc(out)
    elif kind == "zip":
        mkzip(out, sys.argv[3:])
    elif kind == "nested":
        nested(out)
    elif kind == "bomb":
        bomb(out, int(sys.argv[3]))
    elif kind == "mail":
        mail(out, sys.argv[3])
    else:
        sys.exit("mkoffice.py: unknown kind " + kind)


if __name__ == "__main__":
    main()

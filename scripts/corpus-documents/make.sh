#!/bin/sh
# Writes the binary sample documents of corpus/documents/ (PDF, a scanned
# PDF, docx, odt, zip) from the texts beside this script (all written for
# this project). Needs a build of the project (for tests/civ_mkdoc) and
# python3:
#   scripts/corpus-documents/make.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$root/corpus/documents
build=${1:-$root/build}
mkdoc="$build/tests/civ_mkdoc"
"$mkdoc" pdf "$out/order-geofence-suppression.pdf" "$here/order-geofence.txt" \
  --title "Microsoft Word - order_final2.docx" --author "Chambers of Judge Lena Marsh" \
  --keywords "geofence, suppression, Fourth Amendment" --created 2024-09-12T15:20:00Z \
  --header "Case No. 24-CR-0193   Document 41   Filed 09/12/24" --footer "Page %p of %n"
"$mkdoc" scan "$out/foia-release-drone-log.pdf" "$here/foia-drone.txt" \
  --title "scan0042.pdf" --created 2024-07-02T16:00:00Z
python3 "$here/office.py" "$here" "$out"

"""Peak memory of a worker previewing the worst spreadsheets (issue 21).

Builds two files, then previews each (`Importer.run(data, dry_run=True)`, what the upload page
does) in a fresh child process and reports the child's peak RSS (`ru_maxrss`):

* `bomb`: the hostile file of issue 21, one shared string of 499 million characters packed
  into 476 KB;
* `worst`: the largest file the default limits let through: 200,000 data rows of 5 text
  columns, every cell a different string (1,000,000 shared strings), 93 MB unpacked, 6 MB packed.

    PYTHONPATH=src ZHUQI_HOME=$PWD .venv/bin/python -m bench.import_memory                 # this code
    PYTHONPATH=src ZHUQI_HOME=$PWD .venv/bin/python -m bench.import_memory --src /work/main/src  # before

`--src` is the `src` directory whose zhuqi the children import. The importer is a bench one
(5 text columns, no database), so the figures are those of the reader and the row checks that
every import shares.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROWS = 200_000
COLUMNS = 5
HEADERS = ["名称一", "名称二", "名称三", "名称四", "名称五"]
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{REL}">'
    '<sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _write_xlsx(path: Path, sheet_rows, strings) -> None:
    """A minimal .xlsx streamed part by part: `sheet_rows` yields lists of shared-string
    indexes, `strings` yields the shared strings (as XML-safe text chunks per string)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><sheetData>'.encode())
            for r, row in enumerate(sheet_rows, start=1):
                cells = "".join(f'<c r="{chr(65 + i)}{r}" t="s"><v>{v}</v></c>' for i, v in enumerate(row))
                f.write(f'<row r="{r}">{cells}</row>'.encode())
            f.write(b"</sheetData></worksheet>")
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}">'.encode())
            for chunks in strings:
                f.write(b"<si><t>")
                for chunk in chunks:
                    f.write(chunk)
                f.write(b"</t></si>")
            f.write(b"</sst>")


def build_bomb(path: Path) -> None:
    block = b"a" * (1024 * 1024)
    header = [[h.encode()] for h in HEADERS]
    _write_xlsx(path, [list(range(COLUMNS)), [COLUMNS] * COLUMNS], [*header, (block for _ in range(476))])


def build_worst(path: Path) -> None:
    def rows():
        yield list(range(COLUMNS))
        for r in range(ROWS):
            yield [COLUMNS + r * COLUMNS + c for c in range(COLUMNS)]

    def strings():
        for h in HEADERS:
            yield [h.encode()]
        for i in range(ROWS * COLUMNS):
            yield [f"尉氏县工业企业名称第{i:07d}号".encode()]

    _write_xlsx(path, rows(), strings())


CHILD = r"""
import json, os, resource, sys, time
import django
django.setup()
from zhuqi.core.excel import Column, Importer

class BenchImporter(Importer):
    kind = "bench"
    title = "bench"
    columns = [Column(h, "c%d" % i, max_length=5000) for i, h in enumerate(%(headers)r)]

before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open(sys.argv[1], "rb").read()
start = time.perf_counter()
result = BenchImporter(None).run(data, dry_run=True)
seconds = time.perf_counter() - start
print(json.dumps({
    "ok": result.ok,
    "rows": len(result.rows),
    "error": str(result.errors[0]) if result.errors else "",
    "seconds": round(seconds, 1),
    "baseline_mb": round(before / 1024),
    "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
}, ensure_ascii=False))
"""


def measure(src: str, path: Path, home: str) -> dict:
    env = dict(os.environ, PYTHONPATH=src, ZHUQI_HOME=home, DJANGO_SETTINGS_MODULE="zhuqi.settings")
    code = CHILD.replace("%(headers)r", repr(HEADERS))
    command = [sys.executable, "-c", code, str(path)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603 (our own child)
    if done.returncode:
        return {"failed": done.returncode, "stderr": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def unpacked(path: Path) -> int:
    with zipfile.ZipFile(path) as z:
        return sum(i.file_size for i in z.infolist())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", default=str(Path(__file__).resolve().parent.parent / "src"))
    parser.add_argument("--only", choices=["bomb", "worst"], action="append")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in (("bomb", build_bomb), ("worst", build_worst)):
            if args.only and name not in args.only:
                continue
            path = Path(tmp) / f"{name}.xlsx"
            build(path)
            figures = {
                "file": name,
                "packed_kb": round(path.stat().st_size / 1024),
                "unpacked_mb": round(unpacked(path) / 1024 / 1024, 1),
                "src": args.src,
                **measure(args.src, path, tmp),
            }
            print(json.dumps(figures, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
